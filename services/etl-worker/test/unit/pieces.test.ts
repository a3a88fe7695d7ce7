// Small pure pieces: chat projections, dead letters, retry, finalizer ids, report formatting.
import { EventEnvelope } from '@watch-together/protocol'
import t from 'tap'
import { chatWrites, deletionsIn, eventRedactions, toEventDoc } from '../../src/archive/documents.js'
import { formatReport, parseDuration } from '../../src/analytics/format.js'
import { deadLetterRecord } from '@watch-together/kafka'
import { BatchAbandoned, retryUntilDone } from '../../src/consumer/retry.js'
import { archivedEvent, archivedEventId } from '../../src/finalizer/room-finalizer.js'
import { emptySummary } from '../../src/archive/summary-reducer.js'
import { roomScript } from '../helpers/harness.js'

const T0 = Date.UTC(2026, 0, 1, 21, 30)

t.test('event documents keep the envelope and precompute the UTC hour', async (t) => {
  const room = roomScript(T0)
  const e = room.step('member.joined', 'u1', { name: 'A', role: 'guest' }, 0)
  t.same(toEventDoc(e), { _id: e.id, type: e.type, roomId: e.roomId, userId: 'u1', at: new Date(T0), hourUtc: 21, seq: 1, source: 'test', v: 1, payload: e.payload })
})

t.test('chat writes: message documents by message id, reaction $addToSet without upsert', async (t) => {
  const room = roomScript(T0)
  const m = room.step('chat.message_sent', 'u1', { messageId: 'm1', clientMessageId: 'c1', name: 'A', text: 'hi', positionMs: 5 }, 0)
  const r = room.step('chat.reaction_added', 'u2', { messageId: 'm1', emoji: '🔥' }, 10)
  room.step('member.joined', 'u3', { name: 'C', role: 'guest' }, 20)
  const ops = chatWrites(room.events, 'film-1')
  t.same(ops.messages, [{ _id: 'm1', eventId: m.id, roomId: room.roomId, filmId: 'film-1', userId: 'u1', name: 'A', text: 'hi', at: new Date(T0), hourUtc: 21, positionMs: 5, clientMessageId: 'c1', reactions: [] }])
  t.same(ops.updates, [{ updateOne: { filter: { _id: 'm1' }, update: { $addToSet: { reactions: { eventId: r.id, userId: 'u2', emoji: '🔥', at: new Date(T0 + 10) } } } } }])
  t.same(chatWrites(room.events, 'film-1'), ops, 'the same events give the same writes (idempotent $addToSet)')
})

t.test('a user-scoped event is archived with no room, and never becomes a chat write', async (t) => {
  const device = { id: 'd1', type: 'device.state_changed', roomId: null, userId: 'u1', at: T0, seq: 4, v: 1, source: 'realtime' as const, payload: { message: 'on_pause', deviceId: 'dev-1', state: {} } }
  t.match(toEventDoc(device), { _id: 'd1', roomId: null, userId: 'u1', seq: 4, hourUtc: 21 })
  t.same(chatWrites([device], null), { messages: [], updates: [] })
  t.equal(deletionsIn([device]).size, 0)
})

t.test('a deleted message: stored without its text when the deletion shares the write, else $set once', async (t) => {
  const room = roomScript(T0)
  const m = room.step('chat.message_sent', 'u2', { messageId: 'm1', clientMessageId: 'c1', name: 'B', text: 'secret', positionMs: 5 }, 0)
  const d = room.step('chat.message_deleted', 'host', { messageId: 'm1', authorId: 'u2' }, 10)
  const deleted = { text: '', deleted: true, deletedAt: new Date(T0 + 10), deletedBy: 'host', deletionEventId: d.id }
  const both = chatWrites(room.events, 'f')
  t.match(both.messages, [{ _id: 'm1', eventId: m.id, name: 'B', ...deleted }], 'inserted already deleted')
  t.notOk(JSON.stringify(both).includes('secret'), 'the text is in no write')
  t.same(both.updates, [{ updateOne: { filter: { _id: 'm1', roomId: room.roomId, deleted: { $ne: true } }, update: { $set: deleted } } }], 'and the $set for a message stored earlier')

  const deletions = deletionsIn(room.events)
  t.match(toEventDoc(m, deletions), { _id: m.id, payload: { messageId: 'm1', text: '' }, redactedBy: d.id }, 'the message event stored redacted')
  t.equal(m.payload.text, 'secret', 'the event itself is not changed')
  t.notOk('redactedBy' in toEventDoc(m), 'without the deletion: as published')
  t.same(eventRedactions(room.events), [{
    updateMany: {
      filter: { roomId: room.roomId, type: 'chat.message_sent', 'payload.messageId': 'm1', redactedBy: { $exists: false } },
      update: { $set: { 'payload.text': '', redactedBy: d.id } }
    }
  }])

  const again = room.step('chat.message_deleted', 'host2', { messageId: 'm1', authorId: 'u2' }, 20)
  t.equal(toEventDoc(m, deletionsIn(room.events)).redactedBy, d.id, 'the first deletion wins')
  t.equal(eventRedactions(room.events).length, 1)
  t.match(chatWrites(room.events, 'f').messages, [{ deletedBy: 'host', deletionEventId: d.id }])
  t.not(again.id, d.id)
  const other = roomScript(T0)
  other.step('chat.message_deleted', 'host', { messageId: 'm1', authorId: 'u2' }, 0)
  t.notOk(toEventDoc(m, deletionsIn(other.events)).redactedBy, "another room's deletion of the same id does not touch it")
})

t.test('a dead letter keeps the bytes and says why and where from', async (t) => {
  const value = Buffer.from([0xff, 0x00, 0x7b])
  const dl = deadLetterRecord({ topic: 'wt', partition: 2, offset: '41', key: null, value, headers: { a: 'b' }, timestamp: 0 }, 'value is not JSON', 'etl-worker', 123)
  t.same(dl, { key: '', value, headers: { a: 'b', 'dlq-reason': 'value is not JSON', 'dlq-source-topic': 'wt', 'dlq-source-partition': '2', 'dlq-source-offset': '41', 'dlq-failed-at': '123', 'dlq-service': 'etl-worker' } })
})

t.test('retry backs off with heartbeats and gives up only when the consumer stops', async (t) => {
  let calls = 0
  let beats = 0
  const delays: number[] = []
  const control = { isRunning: () => true, isStale: () => false, heartbeat: async () => { beats++ } }
  const result = await retryUntilDone(async () => { if (++calls < 4) throw new Error('down'); return 'ok' }, control, {
    initialMs: 100, maxMs: 300, onRetry: (_e, _a, d) => delays.push(d), sleep: async () => {}
  })
  t.equal(result, 'ok')
  t.same(delays, [100, 200, 300])
  t.ok(beats >= 3, 'heartbeats while waiting')

  let running = true
  const stopping = { ...control, isRunning: () => running }
  await t.rejects(retryUntilDone(async () => { running = false; throw new Error('down') }, stopping, { initialMs: 10, maxMs: 10, onRetry: () => {}, sleep: async () => {} }), BatchAbandoned)
  await t.rejects(retryUntilDone(async () => 1, { ...control, isStale: () => true }, { initialMs: 10, maxMs: 10, onRetry: () => {} }), BatchAbandoned)
})

t.test('room.archived: a valid event with an id that is the same every time', async (t) => {
  const s = { ...emptySummary('0b0a6f3e-6b5e-4a4e-9a59-2f1f7f0c4b11', T0), applied: { 'room-api': 7, realtime: 40 } }
  const event = archivedEvent(s, T0)
  t.ok(EventEnvelope.safeParse(event).success)
  t.match(event, { type: 'room.archived', source: 'etl-worker', seq: 40, payload: { reason: 'idle' } })
  t.equal(event.id, archivedEventId(s._id))
  t.not(archivedEventId('other'), event.id)
})

t.test('report formatting and --since parsing', async (t) => {
  t.equal(parseDuration('7d'), 7 * 86_400_000)
  t.equal(parseDuration('12h'), 12 * 3_600_000)
  t.throws(() => parseDuration('soon'), /7d, 12h or 30m/)
  const text = formatReport({
    since: new Date(T0),
    messagesPerRoom: [{ roomId: 'r1', messages: 3 }],
    mostDiscussedFilms: [],
    sessions: { ended: 2, averageLengthMs: 90_000 },
    rates: { sessions: 2, plays: 1, pauses: 2, seeks: 0, watchedMs: 3600_000, pausesPerSession: 1, seeksPerSession: 0, pausesPerWatchedHour: 2, seeksPerWatchedHour: 0 },
    busiestHours: [{ hourUtc: 9, events: 5 }]
  })
  t.match(text, /r1\s+3/)
  t.match(text, /Most-discussed films\n.*\n.*\n\(none\)/)
  t.match(text, /average length \(min\)\s+1\.5/)
  t.match(text, /09:00\s+5/)
})
