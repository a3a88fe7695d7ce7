// Server-authoritative player state: convergence of several clients, stale versions, host-only mode.
import { randomUUID } from 'node:crypto'
import { PlayerState, ServerFrame } from '@watch-together/protocol'
import t, { type Test } from 'tap'
import { roomKeys } from '../src/rooms/keys.js'
import { type Frame, startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config)

/** Sends a command from one client and returns the state_changed frame every client received. */
async function everyoneSees (t: Test, clients: TestClient[], from: TestClient, frame: Frame) {
  from.send(frame)
  const seen = await Promise.all(clients.map((c) => c.ofType('player.state_changed', frame.type)))
  for (const s of seen) t.ok(ServerFrame.safeParse(s).success, 'matches the schema')
  const [first] = seen
  for (const s of seen.slice(1)) {
    t.same(s.state, first!.state, 'same state everywhere')
    t.equal(s.seq, first!.seq, 'same seq everywhere')
  }
  const stored = PlayerState.parse(JSON.parse(String(await app.redis.hGet(roomKeys(config.REDIS_PREFIX, roomId).state, 'json'))))
  t.same(stored, first!.state, 'and the same as in Redis')
  return first!
}

let roomId = ''

t.test('three clients converge after every command', async (t) => {
  roomId = randomUUID()
  const joined = await Promise.all(['ann', 'bob', 'cid'].map((name) => TestClient.join(base, roomId, { userId: name, name })))
  const clients = joined.map((j) => j.client)
  t.teardown(() => Promise.all(clients.map((c) => c.close())))
  const [a, b, c] = clients as [TestClient, TestClient, TestClient]
  t.equal(joined[0]!.ready.state.version, 0, 'a new room starts at version 0')

  let s = await everyoneSees(t, clients, a, { type: 'player.replace_queue', ref: 'r1', version: 0, items: ['film-1', 'film-2', 'film-3'] })
  t.match(s, { command: 'replace_queue', ref: 'r1', actor: { userId: 'ann' }, state: { version: 1, itemId: 'film-1', index: 0, playing: false, leaderId: 'ann' } })

  s = await everyoneSees(t, clients, b, { type: 'player.play', version: 1, leadMs: 200 })
  t.match(s.state, { playing: true, version: 2, leaderId: 'bob' })
  t.ok(s.state.refAt >= s.at + 200, 'play is scheduled the lead time ahead')

  s = await everyoneSees(t, clients, c, { type: 'player.seek', version: 2, positionMs: 60_000 })
  t.match(s.state, { positionMs: 60_000, playing: true, version: 3, leaderId: 'cid' })

  await new Promise((resolve) => setTimeout(resolve, 30))
  s = await everyoneSees(t, clients, a, { type: 'player.pause', version: 3 })
  t.equal(s.state.playing, false)
  t.ok(s.state.positionMs >= 60_000, 'the paused position comes from elapsed server time')

  s = await everyoneSees(t, clients, b, { type: 'player.set_rate', version: 4, rate: 1.5 })
  t.equal(s.state.rate, 1.5)

  s = await everyoneSees(t, clients, c, { type: 'player.next', version: 5 })
  t.match(s.state, { index: 1, itemId: 'film-2', positionMs: 0 })

  s = await everyoneSees(t, clients, a, { type: 'player.previous', version: 6 })
  t.match(s.state, { index: 0, itemId: 'film-1' })

  s = await everyoneSees(t, clients, b, { type: 'player.jump', version: 7, index: 2 })
  t.match(s.state, { index: 2, itemId: 'film-3' })

  s = await everyoneSees(t, clients, c, { type: 'player.append_queue', version: 8, items: ['film-4'] })
  t.same(s.state.queue, ['film-1', 'film-2', 'film-3', 'film-4'])
  t.equal(s.state.itemId, 'film-3', 'appending keeps the current item')

  c.send({ type: 'player.next', version: 9 })
  c.send({ type: 'player.next', version: 10 })
  await c.ofType('player.state_changed')
  const rejected = await c.ofType('player.command_rejected')
  t.equal(rejected.code, 'RT_INVALID_INDEX', 'next past the end is refused')
  await a.ofType('player.state_changed')
  await b.ofType('player.state_changed')

  // A late joiner gets the same state in its snapshot.
  const late = await TestClient.join(base, roomId, { userId: 'dan', name: 'dan' })
  t.teardown(() => late.client.close())
  t.equal(late.ready.state.version, 10)
  t.same(late.ready.members.map((m: Frame) => m.userId).sort(), ['ann', 'bob', 'cid', 'dan'])
  t.ok(late.ready.members.every((m: Frame) => m.online))
})

t.test('a command based on an old version gets the fresh state back and changes nothing', async (t) => {
  const room = randomUUID()
  const { client: a } = await TestClient.join(base, room, { userId: 'a' })
  const { client: b } = await TestClient.join(base, room, { userId: 'b' })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  a.send({ type: 'player.replace_queue', version: 0, items: ['x'] })
  await a.ofType('player.state_changed')
  await b.ofType('player.state_changed')
  // b has not applied version 1 yet in its own view: it still sends version 0.
  b.send({ type: 'player.play', ref: 'late', version: 0 })
  const rejected = await b.ofType('player.command_rejected')
  t.match(rejected, { ref: 'late', command: 'play', code: 'RT_STALE_VERSION', state: { version: 1, playing: false } })
  // Both racing on the same version: exactly one wins, the other gets the winner's state.
  a.send({ type: 'player.play', version: 1 })
  b.send({ type: 'player.seek', version: 1, positionMs: 5000 })
  const changed = await a.ofType('player.state_changed')
  t.equal(changed.state.version, 2)
  const loser = changed.actor.userId === 'a' ? b : a
  const lost = await loser.ofType('player.command_rejected')
  t.equal(lost.code, 'RT_STALE_VERSION')
  t.equal(lost.state.version, 2)
})

t.test('host-only rooms refuse guests and accept the host', async (t) => {
  const room = randomUUID()
  const { client: host } = await TestClient.join(base, room, { userId: 'h', role: 'host', controlMode: 'host_only' })
  const { client: guest, ready } = await TestClient.join(base, room, { userId: 'g', role: 'guest', controlMode: 'host_only' })
  t.teardown(() => Promise.all([host.close(), guest.close()]))
  t.equal(ready.controlMode, 'host_only')
  guest.send({ type: 'player.play', version: 0 })
  const refused = await guest.ofType('player.command_rejected')
  t.match(refused, { code: 'RT_NOT_ALLOWED', state: { version: 0 } })
  host.send({ type: 'player.play', version: 0 })
  t.match(await guest.ofType('player.state_changed'), { actor: { userId: 'h' }, state: { playing: true, leaderId: 'h' } })
})
