// Idempotency: every event delivered twice, then a whole-topic replay by a new consumer group
// (cut into different chunks) → the archive is exactly the same: no duplicates, no double counts.
import t from 'tap'
import { openArchive, openProducer, prepare, produceEvents, startWorker, testNames, waitCommitted } from './helpers/harness.js'
import { seededSessions } from './helpers/seed-sessions.js'

t.test('duplicates and a whole-topic replay change nothing', async (t) => {
  const names = testNames('replay')
  await prepare(names)
  const archive = await openArchive(names)
  const producer = await openProducer()
  t.teardown(async () => { await producer.disconnect(); await archive.close() })
  const noFinalizer = { ETL_FINALIZE_INTERVAL_MS: '3600000' }

  const seed = seededSessions(Math.floor((Date.now() - 86_400_000) / 3600_000) * 3600_000)
  await produceEvents(producer, names.topic, seed.events)
  await produceEvents(producer, names.topic, seed.events) // the same events again: a producer retry, a re-publish

  const first = await startWorker(names, noFinalizer)
  await waitCommitted(names)
  await first.close()

  const snapshot = async () => ({
    events: await archive.events.countDocuments(),
    chat: await archive.chatMessages.find().sort({ _id: 1 }).toArray(),
    summaries: await archive.roomSummaries.find().sort({ _id: 1 }).toArray()
  })
  const before = await snapshot()
  t.equal(before.events, seed.events.length, 'each event archived once')
  t.equal(before.chat.length, 7, 'each chat message once')
  t.equal(before.chat.find((m) => m._id === 'msg-a1')?.reactions?.length, 1, 'the reaction once')
  t.match(before.summaries.find((s) => s._id === seed.rooms.a), seed.expected.summaryA, 'counters not doubled')
  t.match(before.chat.find((m) => m._id === 'msg-a2'), { text: '', deleted: true, deletionEventId: seed.deletion.id }, 'the deleted message stays deleted')

  // A new group reads the whole topic again, in chunks of 7 records.
  const replayGroup = `${names.groupId}_replay`
  const replay = await startWorker(names, { ...noFinalizer, KAFKA_GROUP_ID: replayGroup, ETL_CHUNK_SIZE: '7' })
  t.teardown(() => replay.close())
  await waitCommitted(names, replayGroup)
  const after = await snapshot()
  t.same(after, before, 'the replay wrote nothing new (summaries keep their rev)')
  t.equal(await archive.events.countDocuments({ 'payload.text': 'spoiler!' }), 0, 'the deleted text did not come back')
})
