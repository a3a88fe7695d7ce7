// A LIVE instance whose event loop stalls for more than 3 beats (a freeze, a GC pause, a loaded machine)
// is taken for dead: another instance counts its connections out while its sockets stay open (issue 20).
// Once its beat runs again it finds itself gone from the registry and closes its sockets (1012), so the
// clients reconnect and are counted in again; a reaped socket's own close counts nobody out a second time.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { globalKeys, roomKeys } from '../src/rooms/keys.js'
import { type App, startApp, testConfig, TestClient } from './helpers.js'
import { readTopic, waitForEvents } from './kafka-read.js'

// Beats far enough apart that a loaded machine (the suite beside it) does not stall one by itself.
const config = testConfig({ INSTANCE_HEARTBEAT_MS: '1000' })
const survivor = await startApp(t, { ...config, INSTANCE_ID: `survivor-${randomUUID().slice(0, 8)}` })
const stalledId = `stalled-${randomUUID().slice(0, 8)}`
const stalled = await startApp(t, { ...config, INSTANCE_ID: stalledId })
await survivor.app.kafka.connected
const read = await readTopic(config.KAFKA_TOPIC)
t.teardown(() => read.stop())

const { redis } = survivor.app
const instances = `${config.REDIS_PREFIX}:instances`
const hashOf = (instance: string) => `${config.REDIS_PREFIX}:instance:{${instance}}:conns`

// Every ticket carries the room's film: the service-wide "viewers of this film" counter must come back to none too.
const film = { id: `film-${randomUUID().slice(0, 8)}`, durationMs: 3_600_000 }

type ZAdd = (key: string, ...rest: unknown[]) => Promise<number>

/**
 * Holds the app's heartbeat (its ZADD to `…:instances`) until released: to the other instances it has
 * stalled, while its sockets and the rest of it keep running. Deterministic, unlike a real freeze:
 * the test waits for the reap before it lets the beat go on.
 */
function stallBeats (app: App) {
  const client = app.redis as unknown as { zAdd: ZAdd }
  const original = client.zAdd
  let release = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  client.zAdd = async function (this: unknown, key, ...rest) {
    if (key === instances) await gate
    return await original.call(this, key, ...rest)
  }
  return () => { client.zAdd = original; release() }
}

/** Waits until the survivor took the stalled instance for dead and counted its connections out. */
async function reaped () {
  await waitFor('the survivor to reap the stalled instance', async () => (await redis.zScore(instances, stalledId)) === null)
}

/** Waits until `count` of the stalled instance's connections are in its hash (written beside the join's announcement). */
async function registered (count: number) {
  await waitFor(`${count} connections of the stalled instance registered`, async () => Object.keys(await redis.hGetAll(hashOf(stalledId))).length === count)
}

/** The room's live connection counts, per user (those not at zero) and in all. */
async function counts (roomId: string) {
  const keys = roomKeys(config.REDIS_PREFIX, roomId)
  const [conns, total] = await Promise.all([redis.hGetAll(keys.conns), redis.hGet(keys.meta, 'connections')])
  return { conns: Object.fromEntries(Object.entries(conns).filter(([, n]) => n !== '0')), total: Number(total) }
}

/** A frame the watcher can wait for: everything the room emitted before it has reached the watcher too. */
async function sentinel (sender: TestClient, watcher: TestClient) {
  const text = `sentinel-${randomUUID().slice(0, 8)}`
  sender.send({ type: 'chat.send', clientMessageId: text, text })
  await watcher.next((f) => f.type === 'chat.message_sent' && f.message?.text === text, 'the sentinel chat message')
}

t.test('a live instance that was reaped closes its sockets (1012); they are counted in again, and out only once', async (t) => {
  const roomId = randomUUID()
  const { client: watcher } = await TestClient.join(survivor.base, roomId, { userId: 'watcher', film })
  t.teardown(() => watcher.close())
  // alice and bob only on the stalled instance; carol on both.
  const { client: alice } = await TestClient.join(stalled.base, roomId, { userId: 'alice', film })
  const { client: bob, ready: bobReady } = await TestClient.join(stalled.base, roomId, { userId: 'bob', film })
  const { client: carolThere, ready: carolReady } = await TestClient.join(stalled.base, roomId, { userId: 'carol', film })
  const { client: carolHere } = await TestClient.join(survivor.base, roomId, { userId: 'carol', film })
  t.teardown(() => carolHere.close())
  for (const userId of ['alice', 'bob', 'carol']) await watcher.next((f) => f.type === 'presence.joined' && f.member.userId === userId, `${userId} joining`)
  await registered(3)
  t.same(await counts(roomId), { conns: { watcher: '1', alice: '1', bob: '1', carol: '2' }, total: 5 })

  // The stall: the survivor counts the stalled instance's three connections out.
  const resume = stallBeats(stalled.app)
  await reaped()
  const left = new Set([(await watcher.ofType('presence.left')).userId, (await watcher.ofType('presence.left')).userId])
  t.same([...left].sort(), ['alice', 'bob'], 'the reaper counted alice and bob out (carol is still connected here)')
  t.same(await counts(roomId), { conns: { watcher: '1', carol: '1' }, total: 2 })

  // alice really leaves while the instance is stalled: her connection was counted out already.
  await alice.close()
  await waitFor('alice\'s close clean-up to settle', () => stalled.app.instanceRegistry.heldCount() === 2)
  await sentinel(carolHere, watcher)
  t.notOk(watcher.pending().some((f) => f.type === 'presence.left'), 'no second presence.left for alice')
  t.same(await counts(roomId), { conns: { watcher: '1', carol: '1' }, total: 2 }, 'her close counted nobody out again')
  await waitFor('the reaping claim to be released', async () => (await redis.exists(`${hashOf(stalledId)}:reaping`)) === 0)

  // The beat runs again: the instance finds it was reaped and asks its clients to reconnect.
  resume()
  t.match(await bob.closed, { code: 1012, reason: /taken for dead/ }, 'bob is asked to reconnect')
  t.match(await carolThere.closed, { code: 1012 }, 'so is carol\'s socket there')
  await waitFor('the reaped sockets\' close clean-up to settle', () => stalled.app.instanceRegistry.heldCount() === 0)
  const { client: bobAgain, ready } = await TestClient.join(stalled.base, roomId, { userId: 'bob', film }, `&since=${bobReady.seq}`)
  t.teardown(() => bobAgain.close())
  t.equal(ready.resumed, true, 'bob resumed')
  const { client: carolAgain } = await TestClient.join(stalled.base, roomId, { userId: 'carol', film }, `&since=${carolReady.seq}`)
  t.teardown(() => carolAgain.close())
  t.match(await watcher.ofType('presence.joined'), { member: { userId: 'bob' } }, 'bob is counted in again')
  await sentinel(carolAgain, watcher)
  t.notOk(watcher.pending().some((f) => f.type === 'presence.left' || f.type === 'presence.joined'), 'no presence change for carol, none more for bob')
  t.same(await counts(roomId), { conns: { watcher: '1', bob: '1', carol: '2' }, total: 4 })
  await registered(2)

  // Everyone leaves: the room empties once, at the end, and no connection was counted out twice.
  for (const client of [bobAgain, carolAgain, carolHere, watcher]) await client.close()
  await waitForEvents(read, 'the room\'s room.emptied', (events) => events.some((e) => e.roomId === roomId && e.type === 'room.emptied'), undefined, [survivor.app, stalled.app])
  await waitFor('the room to be empty', async () => (await counts(roomId)).total === 0)
  const events = read.events.filter((e) => e.roomId === roomId)
  const disconnects = events.filter((e) => e.type === 'session.disconnected').map((e) => (e.payload as { connectionId: string }).connectionId)
  t.equal(disconnects.length, 7, 'seven connections, each counted out once')
  t.equal(new Set(disconnects).size, 7, 'no connection counted out twice')
  t.equal(events.filter((e) => e.type === 'room.emptied').length, 1, 'room.emptied once')
  t.equal(events.at(-1)?.type, 'room.emptied', 'and only once nobody was left')
  t.notOk(await redis.hGet(globalKeys(config.REDIS_PREFIX).userConnections, 'bob'), 'bob\'s service-wide connection count is back to none')
  t.notOk(await redis.hGet(globalKeys(config.REDIS_PREFIX).filmViewers, film.id), 'so is the film\'s viewer count')
})

t.test('an instance reaped, back and stalled again within the minute is reaped again', async (t) => {
  const roomId = randomUUID()
  const { client: watcher } = await TestClient.join(survivor.base, roomId, { userId: 'watcher', film })
  t.teardown(() => watcher.close())
  let { client: zoe, ready } = await TestClient.join(stalled.base, roomId, { userId: 'zoe', film })
  for (const round of [1, 2]) {
    await registered(1)
    const resume = stallBeats(stalled.app)
    await reaped()
    t.match(await watcher.ofType('presence.left'), { userId: 'zoe' }, `stall ${round}: zoe counted out`)
    resume()
    t.match(await zoe.closed, { code: 1012 }, `stall ${round}: zoe asked to reconnect`)
    ;({ client: zoe, ready } = await TestClient.join(stalled.base, roomId, { userId: 'zoe', film }, `&since=${ready.seq}`))
    t.match(await watcher.ofType('presence.joined'), { member: { userId: 'zoe' } }, `stall ${round}: zoe counted in again`)
    t.same((await counts(roomId)).conns, { watcher: '1', zoe: '1' })
  }
  await zoe.close()
})
