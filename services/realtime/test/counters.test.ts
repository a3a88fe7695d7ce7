// room.counters pushed over the socket, from Redis, correct across two instances: online, playing now,
// buffering in the room; users connected, active rooms and viewers of the film service-wide.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startApp, testConfig, TestClient, type Frame } from './helpers.js'

TestClient.keepCounters = true
const config = testConfig({ COUNTERS_INTERVAL_MS: '200' })
const one = await startApp(t, config)
const two = await startApp(t, { ...config, INSTANCE_ID: 'rt-two' })
const film = { id: `film-${randomUUID().slice(0, 8)}`, durationMs: 600_000 }

/** The next counters frame that passes `check` (older ones are skipped). */
const counters = (client: TestClient, check: (f: Frame) => boolean, what: string) =>
  client.next((f) => f.type === 'room.counters' && check(f), what, 10_000)

t.test('counters follow joins, plays, buffering and leaves on every instance, at most once per tick', async (t) => {
  const roomA = randomUUID()
  const roomB = randomUUID()
  const { client: a } = await TestClient.join(one.base, roomA, { userId: 'a', film })
  t.match(await counters(a, () => true, 'the first counters'), { room: { online: 1, playing: 0, buffering: 0 }, service: { filmViewers: 1 } })
  const { client: b } = await TestClient.join(two.base, roomA, { userId: 'b', film })
  const { client: c } = await TestClient.join(two.base, roomB, { userId: 'c', film })
  t.match(await counters(a, (f) => f.room.online === 2 && f.service.filmViewers === 3, 'b and c counted'), { room: { online: 2 }, service: { filmViewers: 3 } })
  const other = await counters(b, (f) => f.room.online === 2 && f.service.connectedUsers >= 3 && f.service.activeRooms >= 2, 'b sees the other room too')
  t.match(other, { service: { filmViewers: 3 } }, 'service-wide counts agree on the other instance')

  b.send({ type: 'player.report_playing', playing: true })
  a.send({ type: 'player.report_playing', playing: true })
  t.match(await counters(a, (f) => f.room.playing === 2, 'two playing'), { room: { playing: 2 } })
  b.send({ type: 'buffering.report', buffering: true })
  t.match(await counters(a, (f) => f.room.buffering === 1, 'one buffering'), { room: { buffering: 1 } })
  a.send({ type: 'player.report_playing', playing: false })
  t.match(await counters(b, (f) => f.room.playing === 1 && f.room.buffering === 1, 'a paused'), { room: { playing: 1 } })

  await b.close()
  let last = await counters(a, (f) => f.room.online === 1 && f.room.playing === 0 && f.service.filmViewers === 2, 'b gone')
  t.match(last, { room: { online: 1, playing: 0 }, service: { filmViewers: 2 } }, 'a member who goes leaves every count')
  // Pushed on change only: every later frame differs from the one before it. (Not "no frame at all":
  // the service-wide counts are the shared Redis's, which the tests running beside this one change.)
  await new Promise((resolve) => setTimeout(resolve, 1200))
  const counts = (f: Frame) => JSON.stringify({ room: f.room, service: f.service })
  let repeated = 0
  for (const frame of a.pending().filter((f) => f.type === 'room.counters')) {
    if (counts(frame) === counts(last)) repeated++
    last = frame
  }
  t.equal(repeated, 0, 'no frame without a change')
  await Promise.all([a.close(), c.close()])
})
