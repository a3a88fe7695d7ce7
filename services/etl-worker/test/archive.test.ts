// End to end: events produced to the topic → archived events, chat messages and summaries, then
// the closed room finalized and announced with room.archived (which the worker archives too).
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { openArchive, openProducer, prepare, produceEvents, startWorker, testNames, waitCommitted } from './helpers/harness.js'
import { seededSessions } from './helpers/seed-sessions.js'

t.test('produced events become archived documents and a finalized summary', async (t) => {
  const names = testNames('e2e')
  await prepare(names)
  const archive = await openArchive(names)
  const producer = await openProducer()
  const worker = await startWorker(names, { ETL_FINALIZE_INTERVAL_MS: '200' })
  t.teardown(async () => { await worker.close(); await producer.disconnect(); await archive.close() })

  const hourStart = Math.floor((Date.now() - 86_400_000) / 3600_000) * 3600_000
  const seed = seededSessions(hourStart)
  await produceEvents(producer, names.topic, seed.events)

  await waitCommitted(names)
  t.equal(await archive.events.countDocuments({ source: { $ne: 'etl-worker' } }), seed.events.length, 'every event archived')
  const stored = await archive.events.findOne({ _id: seed.hello.id })
  t.match(stored, { type: 'chat.message_sent', roomId: seed.rooms.a, userId: 'u2', seq: seed.hello.seq, at: new Date(seed.hello.at), payload: { text: 'привет' } })

  const message = await archive.chatMessages.findOne({ _id: 'msg-a1' })
  t.match(message, { roomId: seed.rooms.a, filmId: 'film-matrix', userId: 'u2', name: 'Petr', text: 'привет', at: new Date(seed.hello.at), positionMs: 120_000 })
  t.same(message?.reactions?.map((r) => [r.userId, r.emoji]), [['u1', '👍']])
  t.equal(await archive.chatMessages.countDocuments({ roomId: seed.rooms.a }), 3)

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

  const metrics = (await worker.inject('/metrics')).body
  t.match(metrics, /etl_events_archived_total\{service="etl-worker"\} \d+/)
  t.match(metrics, /etl_consumer_lag\{topic="[^"]+",partition="0",service="etl-worker"\} \d+/)
  t.equal((await worker.inject('/readyz')).statusCode, 200)
})
