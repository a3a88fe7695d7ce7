// One write touching the summaries of many rooms (found by the chaos soak, issue 20): FerretDB 1.24 keeps
// every update statement's query open until its whole update command ends, each holding a pooled SQLite
// connection, so one bulkWrite of more replaces than the pool holds waited forever and locked the
// archive's database for good. The writer sends update statements in pieces (MAX_UPDATES_PER_REQUEST).
import t from 'tap'
import { writeArchive } from '../src/archive/archive-writer.js'
import { SummaryCache } from '../src/archive/summary-cache.js'
import { unlimited } from '../src/archive/write-limiter.js'
import { openArchive, prepare, roomScript, testNames } from './helpers/harness.js'

t.setTimeout(600_000)

type Archive = Awaited<ReturnType<typeof openArchive>>

/**
 * Waits for `writes`, telling a wedge from a slow disk: every statement is its own SQLite transaction,
 * and on a loaded CI machine a few hundred of them took over 90 s while the database kept answering.
 * A wedged database answers nothing — so the write fails only when `watcher` (its own client) sees
 * no new summary with a message for `stillMs`, or its count itself gets no answer in that time.
 */
async function answeredOrWedged (writes: Promise<unknown>, watcher: Archive, stillMs = 60_000): Promise<string> {
  const state = { done: false }
  const written = writes.then(() => { state.done = true; return 'written' })
  const watch = (async () => {
    let last = -1
    let since = Date.now()
    while (!state.done) {
      const count = await Promise.race([
        watcher.roomSummaries.countDocuments({ messages: 1 }),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), stillMs).unref())
      ])
      if (count === null) return `the database answered no count for ${stillMs / 1000} s`
      if (count !== last) { last = count; since = Date.now() }
      if (Date.now() - since >= stillMs) return `no summary written for ${stillMs / 1000} s (${count} written)`
      await new Promise((resolve) => setTimeout(resolve, 1000).unref())
    }
    return 'written'
  })()
  try {
    return await Promise.race([written, watch])
  } finally {
    state.done = true
    await watch.catch(() => {}) // the watcher's client closes after its last count, not under it
  }
}

/** Closes (and drops) the archives, giving up after 10 s: a wedged database answers no drop either. */
async function closeSoon (archives: Archive[]): Promise<void> {
  await Promise.race([Promise.all(archives.map((a) => a.close())), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
}

t.test('a write that changes the summaries of 150 rooms at once completes', async (t) => {
  const names = testNames('many_rooms')
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => closeSoon([archive]))
  const start = Date.now() - 60_000
  const rooms = Array.from({ length: 150 }, () => roomScript(start))
  for (const room of rooms) room.step('room.created', 'u1', { filmId: 'film-1', ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' }, 0, 'room-api')
  // First write: every summary is new (one insertMany).
  await writeArchive(archive, rooms.flatMap((r) => r.events), { cache: new SummaryCache(), limit: unlimited })
  // Second write, with a cold cache: every summary exists and is replaced — 150 update statements.
  const second = rooms.map((room) => room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-m1`, clientMessageId: 'c1', name: 'Host', text: 'hi', positionMs: 1 }, 1000))
  const watcher = await openArchive(names)
  t.teardown(() => closeSoon([watcher]))
  const outcome = await answeredOrWedged(writeArchive(archive, second, { cache: new SummaryCache(), limit: unlimited }), watcher)
  t.equal(outcome, 'written', 'the write is answered')
  if (outcome !== 'written') return // a wedged database would not answer the count either
  t.equal(await archive.roomSummaries.countDocuments({ messages: 1 }), 150, 'every summary counts its message')
})

// The connections are the database's, shared by every client: several workers' update commands in
// flight together must stay below the pool too (the soak wedged FerretDB with two workers' pieces of 50;
// four workers' pieces of 50 here wedge it, and the watcher reports it).
t.test('four workers replacing the summaries of 60 rooms each, at the same moment, all complete', async (t) => {
  const names = testNames('many_writers')
  await prepare(names)
  const [watcher, ...archives] = await Promise.all([0, 1, 2, 3, 4].map(() => openArchive(names)))
  t.teardown(() => closeSoon([watcher!, ...archives]))
  const start = Date.now() - 60_000
  const groups = archives.map(() => Array.from({ length: 60 }, () => roomScript(start)))
  for (const room of groups.flat()) room.step('room.created', 'u1', { filmId: 'film-1', ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' }, 0, 'room-api')
  await writeArchive(archives[0]!, groups.flat().flatMap((r) => r.events), { cache: new SummaryCache(), limit: unlimited })
  const second = groups.map((rooms) => rooms.map((room) => room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-m1`, clientMessageId: 'c1', name: 'Host', text: 'hi', positionMs: 1 }, 1000)))
  const outcome = await answeredOrWedged(Promise.all(archives.map((archive, i) => writeArchive(archive, second[i]!, { cache: new SummaryCache(), limit: unlimited }))), watcher!)
  t.equal(outcome, 'written', 'every write is answered')
  if (outcome !== 'written') return // a wedged database would not answer the count either
  t.equal(await watcher!.roomSummaries.countDocuments({ messages: 1 }), 240, 'every summary counts its message')
})
