// The summary cache is only a guess: a summary moved by someone else (the finalizer, a previous
// owner of the partition) fails the rev condition, is read again, and nothing is lost or doubled.
import t from 'tap'
import { writeArchive } from '../src/archive/archive-writer.js'
import { SummaryCache } from '../src/archive/summary-cache.js'
import { unlimited } from '../src/archive/write-limiter.js'
import { openArchive, prepare, roomScript, testNames } from './helpers/harness.js'

t.test('a stale cached summary is detected by its rev and folded afresh', async (t) => {
  const names = testNames('summary_cache')
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const room = roomScript(Date.now())
  const message = (i: number) => room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-${i}`, clientMessageId: `c${i}`, name: 'A', text: 't', positionMs: i }, i)
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
