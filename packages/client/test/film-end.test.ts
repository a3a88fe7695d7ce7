// attach() reports the end of the film when the media fires `ended`: once, counted once by the
// real service, never taken for a user's pause.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { readTopic } from '../../../services/realtime/test/kafka-read.js'
import { EndingMedia } from '../sim/ending-media.js'
import { attach, RoomError } from '../src/index.js'
import { roomClient, startApp, testConfig } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config)
await app.kafka.connected
const read = await readTopic(config.KAFKA_TOPIC)
t.teardown(() => read.stop())

t.test('both players reach the end: one report counts, the room pauses at the end', async (t) => {
  const roomId = randomUUID()
  const film = { id: 'short-film', durationMs: 2000 }
  const host = roomClient(t, base, roomId, { userId: 'host', film })
  const viewer = roomClient(t, base, roomId, { userId: 'viewer', film })
  await host.connect()
  await viewer.connect()
  const medias = [new EndingMedia({ durationMs: film.durationMs }), new EndingMedia({ durationMs: film.durationMs })]
  const syncs = [attach(host, medias[0]!, { tickMs: 50 }), attach(viewer, medias[1]!, { tickMs: 50 })]
  t.teardown(() => { for (const s of syncs) s.detach(); for (const m of medias) m.stop() })

  // The server owns the queue: the ticket's film is queued (version 1) before anyone asks.
  t.match(host.state, { version: 1, queue: [film.id], itemId: film.id, playing: false })
  await host.seek(1000)
  await host.play(100)
  const ended = await waitFor('the room paused at the end', () =>
    [host, viewer].every((c) => c.state?.playing === false && c.state.positionMs === film.durationMs) && (viewer.state ?? undefined))
  t.equal(ended.version, 4, 'one state change for the end')
  // The first media to end reports it; the other may get the room's paused-at-end state a moment
  // before its own end arrives (then it never plays to its end), so only one is certain.
  t.ok(medias.some((m) => m.endedFired >= 1), 'a media ended (and reported)')
  t.same(syncs.map((s) => s.stats.userCommands), [0, 0], 'the end was not taken for a user\'s pause')

  await waitFor('player.ended on Kafka', () => read.events.some((e) => e.roomId === roomId && e.type === 'player.ended'))
  const events = read.events.filter((e) => e.roomId === roomId && e.type === 'player.ended')
  t.equal(events.length, 1)
  t.ok(['host', 'viewer'].includes(String(events[0]?.userId)), 'ended by a report, not by the server\'s fallback')

  // A premature report is refused with the server's code.
  await host.seek(500)
  const refusal = await host.reportEnded().then(() => null, (err: unknown) => err)
  t.ok(refusal instanceof RoomError && refusal.code === 'RT_NOT_ENDED', `refused: ${String(refusal)}`)
})
