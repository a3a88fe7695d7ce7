// One write touching the summaries of many rooms (found by the chaos soak, issue 20): FerretDB 1.24 keeps
// every update statement's query open until its whole update command ends, each holding a pooled SQLite
// connection, so one bulkWrite of more replaces than the pool holds waited forever and locked the
// archive's database for good. The writer sends update statements in pieces (MAX_UPDATES_PER_REQUEST).
import t from 'tap'
import { writeArchive } from '../src/archive/archive-writer.js'
import { SummaryCache } from '../src/archive/summary-cache.js'
import { unlimited } from '../src/archive/write-limiter.js'
import { openArchive, prepare, roomScript, testNames } from './helpers/harness.js'

t.setTimeout(300_000)

t.test('a write that changes the summaries of 150 rooms at once completes', async (t) => {
  const names = testNames('many_rooms')
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const start = Date.now() - 60_000
  const rooms = Array.from({ length: 150 }, () => roomScript(start))
  for (const room of rooms) room.step('room.created', 'u1', { filmId: 'film-1', ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' }, 0, 'room-api')
  // First write: every summary is new (one insertMany).
  await writeArchive(archive, rooms.flatMap((r) => r.events), { cache: new SummaryCache(), limit: unlimited })
  // Second write, with a cold cache: every summary exists and is replaced — 150 update statements.
  const second = rooms.map((room) => room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-m1`, clientMessageId: 'c1', name: 'Host', text: 'hi', positionMs: 1 }, 1000))
  const outcome = await Promise.race([
    writeArchive(archive, second, { cache: new SummaryCache(), limit: unlimited }).then(() => 'written'),
    new Promise((resolve) => setTimeout(() => resolve('no answer after 90 s'), 90_000).unref())
  ])
  t.equal(outcome, 'written', 'the write is answered')
  t.equal(await archive.roomSummaries.countDocuments({ messages: 1 }), 150, 'every summary counts its message')
})

// The connections are the database's, shared by every client: several workers' update commands in
// flight together must stay below the pool too (the soak wedged FerretDB with two workers' pieces of 50; four pieces of 50 here wedge it).
t.test('four workers replacing the summaries of 60 rooms each, at the same moment, all complete', async (t) => {
  t.setTimeout(240_000) // 240 rooms written twice on FerretDB/SQLite; the wedge shows as "no answer" below
  const names = testNames('many_writers')
  await prepare(names)
  const archives = await Promise.all([1, 2, 3, 4].map(() => openArchive(names)))
  t.teardown(() => Promise.all(archives.map((a) => a.close())))
  const start = Date.now() - 60_000
  const groups = archives.map(() => Array.from({ length: 60 }, () => roomScript(start)))
  for (const room of groups.flat()) room.step('room.created', 'u1', { filmId: 'film-1', ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' }, 0, 'room-api')
  await writeArchive(archives[0]!, groups.flat().flatMap((r) => r.events), { cache: new SummaryCache(), limit: unlimited })
  const second = groups.map((rooms) => rooms.map((room) => room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-m1`, clientMessageId: 'c1', name: 'Host', text: 'hi', positionMs: 1 }, 1000)))
  const outcome = await Promise.race([
    Promise.all(archives.map((archive, i) => writeArchive(archive, second[i]!, { cache: new SummaryCache(), limit: unlimited }))).then(() => 'written'),
    new Promise((resolve) => setTimeout(() => resolve('no answer after 90 s'), 90_000).unref())
  ])
  t.equal(outcome, 'written', 'every write is answered')
  t.equal(await archives[0]!.roomSummaries.countDocuments({ messages: 1 }), 240, 'every summary counts its message')
})
