// Starting waits for buffering members: until they are ready, or a hard deadline; never for opted-out members.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig({ READY_WAIT_MS: '1500' })
const { base } = await startApp(t, config)

async function room (t: { teardown (fn: () => unknown): void }) {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(base, roomId, { userId: 'b' })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  return { a, b }
}

t.test('a start waits until the buffering member is ready', async (t) => {
  const { a, b } = await room(t)
  b.send({ type: 'buffering.report', buffering: true })
  await a.ofType('buffering.changed')
  a.send({ type: 'player.play', version: 0 })
  const waiting = await b.ofType('player.state_changed')
  t.match(waiting, { command: 'play', actor: { userId: 'a' }, state: { playing: false, waitingUntil: Number } })
  b.send({ type: 'buffering.report', buffering: false })
  const started = await a.next((f) => f.type === 'player.state_changed' && f.actor === null, 'the start')
  t.match(started, { command: 'play', actor: null, state: { playing: true, waitingUntil: null, version: 2 } })
})

t.test('a member who never gets ready is not waited for past the deadline', async (t) => {
  const { a, b } = await room(t)
  b.send({ type: 'buffering.report', buffering: true })
  await a.ofType('buffering.changed')
  a.send({ type: 'player.play', version: 0 })
  t.match(await a.ofType('player.state_changed'), { state: { playing: false } })
  t.match(await a.ofType('player.state_changed', 'the start at the deadline'), { actor: null, state: { playing: true, waitingUntil: null } })
})

t.test('a member who opted out is never waited for', async (t) => {
  const { a, b } = await room(t)
  b.send({ type: 'buffering.report', buffering: true, waitForMe: false })
  await a.ofType('buffering.changed')
  a.send({ type: 'player.play', version: 0 })
  t.match(await a.ofType('player.state_changed'), { actor: { userId: 'a' }, state: { playing: true, waitingUntil: null } })
})

t.test('a buffering member who leaves is no longer waited for', async (t) => {
  const { a, b } = await room(t)
  b.send({ type: 'buffering.report', buffering: true })
  await a.ofType('buffering.changed')
  a.send({ type: 'player.seek', version: 0, positionMs: 1000 })
  a.send({ type: 'player.play', version: 1 })
  await a.next((f) => f.type === 'player.state_changed' && f.command === 'play')
  await b.close()
  t.match(await a.next((f) => f.type === 'player.state_changed' && f.actor === null), { state: { playing: true, positionMs: 1000 } })
})
