// The stall watchdog's judgement: idle alone is not stalled; idle with records waiting is.
import t from 'tap'
import { type PartitionOffsets, progressWatch } from '../../src/progress-watch.js'

function watchOver (offsets: Record<number, Omit<PartitionOffsets, 'partition'>>) {
  const asked: number[][] = []
  const watch = progressWatch({
    stallMs: 1000,
    async offsets (partitions) {
      asked.push(partitions)
      return partitions.map((partition) => ({ partition, ...offsets[partition]! }))
    }
  })
  return { watch, asked }
}

t.test('partitions that moved lately cost no look at the offsets', async (t) => {
  const { watch, asked } = watchOver({})
  watch.assigned([0, 1], 0)
  watch.progress(0, 900)
  t.equal(await watch.check(999), undefined)
  t.same(asked, [])
})

t.test('an idle partition with nothing past its committed offset is not stalled', async (t) => {
  const { watch, asked } = watchOver({ 0: { committed: '10', low: '0', high: '10' }, 1: { committed: '-1', low: '4', high: '4' } })
  watch.assigned([0, 1], 0)
  t.equal(await watch.check(5000), undefined)
  t.same(asked, [[0, 1]])
})

t.test('records waiting and no progress: stalled, with the fetches kafkajs made meanwhile', async (t) => {
  const { watch } = watchOver({ 0: { committed: '3', low: '0', high: '10' }, 1: { committed: '-1', low: '2', high: '5' }, 2: { committed: '1', low: '0', high: '9' } })
  watch.assigned([0, 1, 2], 0)
  watch.note(0, { first: '3', last: '9', inFlight: true }, 0)
  watch.note(0, { inFlight: false }, 0)
  watch.progress(2, 4500)
  watch.fetched()
  watch.fetched()
  const stall = await watch.check(5000)
  t.same(stall?.partitions.map((p) => [p.partition, p.lag, p.idleMs]), [[0, '7', 5000], [1, '3', 5000]])
  t.same(stall?.partitions[0]?.lastBatch, { first: '3', last: '9', inFlight: false }, 'partition 0: its batch ended uncommitted')
  t.equal(stall?.partitions[1]?.lastBatch, undefined, 'partition 1: no batch since the assignment')
  t.equal(stall?.fetchesSince, 2, 'kafkajs kept fetching: the records were not handed over')
})

t.test('a new assignment starts every clock again; no assignment, no stall', async (t) => {
  const { watch } = watchOver({ 0: { committed: '3', low: '0', high: '10' } })
  watch.assigned([0], 0)
  watch.assigned([0], 4500)
  t.equal(await watch.check(5000), undefined)
  watch.assigned([], 5000)
  t.equal(await watch.check(60_000), undefined)
})

t.test('partitions queued behind a batch still being worked at are waiting, not stalled', async (t) => {
  const { watch, asked } = watchOver({ 0: { committed: '0', low: '0', high: '4' }, 1: { committed: '0', low: '0', high: '5' } })
  watch.assigned([0, 1], 0)
  watch.note(0, { first: '0', last: '3', inFlight: true }, 0)
  watch.progress(0, 4800) // the handler retrying in place heartbeats
  t.equal(await watch.check(5000), undefined)
  t.same(asked, [], 'not even a look at the offsets')
  // The same batch with no sign of life for stallMs: a hung batch, and the partitions behind it stall.
  const stall = await watch.check(5800)
  t.same(stall?.partitions.map((p) => p.partition), [0, 1])
  t.equal(stall?.partitions[0]?.lastBatch?.inFlight, true, 'partition 0: its batch never ended')
})
