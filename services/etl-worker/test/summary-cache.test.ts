// The summary cache is only a guess: a summary moved by someone else (the finalizer, a previous
// owner of the partition) fails the rev condition, is read again, and nothing is lost or doubled.
import t, { type Test } from 'tap'
import { writeArchive } from '../src/archive/archive-writer.js'
import { SummaryCache } from '../src/archive/summary-cache.js'
import { emptySummary } from '../src/archive/summary-reducer.js'
import { unlimited } from '../src/archive/write-limiter.js'
import { openArchive, prepare, roomScript, testNames } from './helpers/harness.js'

/** A fresh archive and one room whose chat message `i` is `message(i)`. */
async function oneRoom (t: Test, prefix: string) {
  const names = testNames(prefix)
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const room = roomScript(Date.now())
  const message = (i: number) => room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-${i}`, clientMessageId: `c${i}`, name: 'A', text: 't', positionMs: i }, i)
  return { archive, room, message }
}

t.test('a stale cached summary is detected by its rev and folded afresh', async (t) => {
  const { archive, room, message } = await oneRoom(t, 'summary_cache')
  const opts = { cache: new SummaryCache(), limit: unlimited }

  await writeArchive(archive, [message(1), message(2)], opts)
  t.equal(opts.cache.get(room.roomId)?.rev, 1, 'cached as written')
  // Someone else writes the summary (as the finalizer does): rev moves on, and a field changes.
  await archive.roomSummaries.updateOne({ _id: room.roomId }, { $set: { finalReason: 'idle' }, $inc: { rev: 1 } })

  const batch = [message(3), message(4)]
  await writeArchive(archive, batch, opts)
  await writeArchive(archive, batch, opts) // re-delivered
  const summary = await archive.roomSummaries.findOne({ _id: room.roomId })
  t.match(summary, { messages: 4, eventsApplied: 4, finalReason: 'idle', rev: 3 }, "counted once, the other writer's change kept")
  t.equal(opts.cache.get(room.roomId)?.rev, 3, 'the cache follows')
})

t.test("a new room's summary created meanwhile by another writer is read and folded into, not overwritten", async (t) => {
  const { archive, room, message } = await oneRoom(t, 'summary_new')
  // This worker looked the room up before another (the partition's previous owner) archived
  // messages 1-2; it folds 1-3 into no summary at all, so its insert of rev 1 meets the _id.
  const opts = { cache: new SummaryCache(), limit: unlimited }
  opts.cache.set(emptySummary(room.roomId, Date.now()))
  const [m1, m2, m3] = [message(1), message(2), message(3)]
  await writeArchive(archive, [m1, m2], { cache: new SummaryCache(), limit: unlimited })
  const result = await writeArchive(archive, [m1, m2, m3], opts)
  t.equal(result.eventsInserted, 1, 'only message 3 is new')
  t.match(await archive.roomSummaries.findOne({ _id: room.roomId }), { messages: 3, eventsApplied: 3, rev: 2 }, 'counted once, on top of the stored summary')
})
