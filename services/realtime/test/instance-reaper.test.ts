// An instance that dies without closing its sockets: another instance counts its connections out.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { createInstanceRegistry } from '../src/rooms/instance-registry.js'
import { roomKeys } from '../src/rooms/keys.js'
import type { Presence } from '../src/rooms/presence.js'
import { startApp, testConfig, TestClient } from './helpers.js'

// Beats of 500 ms: with 100 ms a 300 ms stall of this (loaded) process could get the doomed instance reaped
// while still alive, before the test stops it.
const config = testConfig({ INSTANCE_HEARTBEAT_MS: '500' })
const { app, base } = await startApp(t, { ...config, INSTANCE_ID: 'survivor' })

t.test('the connections of a dead instance are counted out by a live one', async (t) => {
  const roomId = randomUUID()
  const { client } = await TestClient.join(base, roomId, { userId: 'watcher' })
  t.teardown(() => client.close())

  // A second instance holding one socket of the room, then "crashing": its process state is dropped
  // without its sockets being counted out (close() would count them out, so its registry is stopped first
  // and its Redis bookkeeping restored to what a crash leaves behind).
  const doomed = await buildApp({ ...config, INSTANCE_ID: 'doomed' }, { consumeLifecycle: false })
  await doomed.listen({ host: '127.0.0.1', port: 0 })
  const { client: ghost } = await TestClient.join(`ws://127.0.0.1:${(doomed.server.address() as { port: number }).port}`, roomId, { userId: 'ghost' })
  t.match(await client.ofType('presence.joined'), { member: { userId: 'ghost' } })
  const held = await app.redis.hGetAll(`${config.REDIS_PREFIX}:instance:{doomed}:conns`)
  t.equal(Object.keys(held).length, 1, 'the doomed instance registered its socket')
  await doomed.instanceRegistry.stop()
  ghost.socket.terminate()
  await doomed.close()
  // Undo the graceful bookkeeping: as after a crash, the socket still counts and its registry entry stays.
  const keys = roomKeys(config.REDIS_PREFIX, roomId)
  // A MULTI per slot: the room's keys, the instance's, the registry's (Redis Cluster).
  await app.redis.multi().hIncrBy(keys.conns, 'ghost', 1).hIncrBy(keys.meta, 'connections', 1).exec()
  await app.redis.hSet(`${config.REDIS_PREFIX}:instance:{doomed}:conns`, held)
  await app.redis.zAdd(`${config.REDIS_PREFIX}:instances`, { score: Date.now(), value: 'doomed' })
  await client.ofType('presence.left', 'the graceful leave of the doomed socket')

  // Three missed beats later the survivor counts the socket out.
  t.match(await client.ofType('presence.left', 'the reaper counting the ghost out'), { userId: 'ghost' })
  t.equal(await app.redis.hGet(keys.conns, 'ghost'), '0')
  await waitFor('the dead instance to leave the registry', async () => (await app.redis.zScore(`${config.REDIS_PREFIX}:instances`, 'doomed')) === null)
  t.pass('the dead instance left the registry')
})

t.test('a reaper keeps beating while it counts a dead instance out', async (t) => {
  // Counting out takes round trips per connection (seconds for hundreds). A reaper that stopped beating
  // meanwhile was taken for dead by the instance it reaped, once that one came back from a stall (soak).
  // Here the count-out is held at a gate: the reaper's own beats must go on regardless.
  const prefix = `reap-beside-${randomUUID().slice(0, 8)}`
  let release = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let countingOut = false
  const presence = { disconnect: async () => { countingOut = true; await gate } } as unknown as Presence
  const registry = createInstanceRegistry(app.redis, presence, { prefix, instance: 'reaper', heartbeatMs: 100, log: app.log })
  t.teardown(async () => { release(); await registry.stop() })
  const entry = JSON.stringify({ room: randomUUID(), sub: 'ghost', name: 'Ghost', role: 'guest', controlMode: 'everyone' })
  await app.redis.hSet(`${prefix}:instance:{stalled}:conns`, 'c1', entry)
  await app.redis.zAdd(`${prefix}:instances`, { score: Date.now() - 60_000, value: 'stalled' })
  registry.start()
  await waitFor('the reap to reach its count-out', () => countingOut)
  const listed = async () => Number(await app.redis.zScore(`${prefix}:instances`, 'reaper'))
  const first = await listed()
  await waitFor('the reaper to beat again while its count-out is held', async () => (await listed()) > first + 250, 10_000)
  t.pass('the reaper beat on while its count-out was held')
  release()
  await waitFor('the dead instance to leave the registry', async () => (await app.redis.zScore(`${prefix}:instances`, 'stalled')) === null)
  t.pass('the reap finished once released')
})

t.test('an instance is judged by its own heartbeat interval, not the judge\'s', async (t) => {
  // During a rolling change of INSTANCE_HEARTBEAT_MS, instances beating every 100 ms took the live ones
  // beating every 2 s for dead between two of their beats.
  const prefix = `own-interval-${randomUUID().slice(0, 8)}`
  let countedOut = 0
  const presence = { disconnect: async () => { countedOut++ } } as unknown as Presence
  const slow = createInstanceRegistry(app.redis, presence, { prefix, instance: 'slow', heartbeatMs: 2000, log: app.log })
  const fast = createInstanceRegistry(app.redis, presence, { prefix, instance: 'fast', heartbeatMs: 100, log: app.log })
  t.teardown(async () => { await fast.stop(); await slow.stop() })
  slow.start()
  await slow.connected({ room: randomUUID(), sub: 'viewer', name: 'Viewer', role: 'guest', controlMode: 'everyone', film: null } as never, 'c1')
  await waitFor('the slow instance listed', async () => (await app.redis.zScore(`${prefix}:instances`, 'slow')) !== null)
  fast.start()
  // 1.5 s: 15 of the fast instance's beats, well past 3 of them since the slow one's last; inside 3 of the slow one's.
  await waitFor('a count-out (there must be none)', () => countedOut > 0, 1_500).catch(() => {})
  t.equal(countedOut, 0, 'nothing counted out')
  t.not(await app.redis.zScore(`${prefix}:instances`, 'slow'), null, 'the slow instance is still listed')
  t.equal(await app.redis.hLen(`${prefix}:instance:{slow}:conns`), 1, 'its connection is still registered')
})
