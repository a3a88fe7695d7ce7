// End to end: events produced to the topic → archived events, chat messages and summaries, then
// the closed room finalized and announced with room.archived (which the worker archives too);
// a deleted message archived without its text; a user-scoped event archived with no room.
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { deviceEvent, openArchive, openProducer, prepare, produceEvents, roomScript, startWorker, testNames, waitCommitted } from './helpers/harness.js'
import { seededSessions } from './helpers/seed-sessions.js'

t.test('produced events become archived documents and a finalized summary', async (t) => {
  const names = testNames('e2e')
  await prepare(names)
  const archive = await openArchive(names)
  const producer = await openProducer()
  const worker = await startWorker(names, { ETL_FINALIZE_INTERVAL_MS: '200', ETL_ROOM_IDLE_MS: '3600000' })
  t.teardown(async () => { await worker.close(); await producer.disconnect(); await archive.close() })

  const hourStart = Math.floor((Date.now() - 86_400_000) / 3600_000) * 3600_000
  const seed = seededSessions(hourStart)
  // A room nobody closed, silent for longer than ETL_ROOM_IDLE_MS (1 h here).
  const idle = roomScript(hourStart)
  idle.step('room.created', 'u9', { filmId: 'film-idle', ownerId: 'u9', ownerName: 'Z', controlMode: 'everyone' }, 0, 'room-api')
  idle.step('chat.message_sent', 'u9', { messageId: 'msg-idle', clientMessageId: 'c', name: 'Z', text: 'anyone?', positionMs: 0 }, 60_000)
  // A user-scoped event (roomId null, key `user:u1`): archived, but no room's.
  const device = deviceEvent('u1', 1, hourStart + 5000)
  await produceEvents(producer, names.topic, [...seed.events, device, ...idle.events])

  await waitCommitted(names)
  t.equal(await archive.events.countDocuments({ source: { $ne: 'etl-worker' } }), seed.events.length + idle.events.length + 1, 'every event archived')
  t.match(await archive.events.findOne({ _id: device.id }), { type: 'device.state_changed', roomId: null, userId: 'u1', payload: { deviceId: 'u1-phone' } })
  const stored = await archive.events.findOne({ _id: seed.hello.id })
  t.match(stored, { type: 'chat.message_sent', roomId: seed.rooms.a, userId: 'u2', seq: seed.hello.seq, at: new Date(seed.hello.at), payload: { text: 'привет' } })

  const message = await archive.chatMessages.findOne({ _id: 'msg-a1' })
  t.match(message, { roomId: seed.rooms.a, filmId: 'film-matrix', userId: 'u2', name: 'Petr', text: 'привет', at: new Date(seed.hello.at), positionMs: 120_000 })
  t.same(message?.reactions?.map((r) => [r.userId, r.emoji]), [['u1', '👍']])
  t.equal(await archive.chatMessages.countDocuments({ roomId: seed.rooms.a }), 3)
  // The host's deletion: the message keeps its place, loses its text, here and in its event.
  t.match(await archive.chatMessages.findOne({ _id: 'msg-a2' }), { userId: 'u3', text: '', deleted: true, deletedBy: 'u1', deletedAt: new Date(seed.deletion.at), deletionEventId: seed.deletion.id })
  t.match(await archive.events.findOne({ type: 'chat.message_sent', 'payload.messageId': 'msg-a2' }), { payload: { text: '' }, redactedBy: seed.deletion.id })
  t.equal(await archive.events.countDocuments({ 'payload.text': 'spoiler!' }), 0, 'the deleted text is nowhere')

  const summaryA = await waitFor('room A finalized', async () => {
    const s = await archive.roomSummaries.findOne({ _id: seed.rooms.a })
    return s?.finalizedAt && s.archivedAt ? s : undefined
  }, 30_000, 200)
  t.match(summaryA, {
    ...seed.expected.summaryA,
    filmId: 'film-matrix',
    ownerId: 'u1',
    hostId: 'u1',
    closeReason: 'film_ended',
    finalReason: 'closed',
    openedAt: new Date(hourStart),
    closedAt: new Date(hourStart + 1_800_000)
  })
  t.same([...summaryA.membersSeen].sort(), ['u1', 'u2', 'u3'])

  const archived = await archive.events.find({ type: 'room.archived', roomId: seed.rooms.a }).toArray()
  t.equal(archived.length, 1, 'one room.archived event, consumed back from the topic')
  t.match(archived[0], { source: 'etl-worker', payload: { reason: 'closed' } })

  const idleSummary = await waitFor('the idle room finalized', async () => {
    const s = await archive.roomSummaries.findOne({ _id: idle.roomId })
    return s?.finalizedAt && s.archivedAt ? s : undefined
  }, 30_000, 200)
  t.match(idleSummary, { finalReason: 'idle', closedAt: null, durationMs: 60_000, messages: 1 })
  t.match(await archive.events.findOne({ type: 'room.archived', roomId: idle.roomId }), { source: 'etl-worker', payload: { reason: 'idle' } })
  // The finalizer works from summaries only, so nothing can be finalized or announced for it either.
  t.equal(await archive.roomSummaries.countDocuments(), 4, 'a summary per room, none for the user-scoped event')

  const metrics = (await worker.inject('/metrics')).body
  t.match(metrics, /etl_events_archived_total\{service="etl-worker"\} \d+/)
  t.match(metrics, /etl_consumer_lag\{topic="[^"]+",partition="0",service="etl-worker"\} \d+/)
  t.equal((await worker.inject('/readyz')).statusCode, 200)
})
