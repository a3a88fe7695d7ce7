import t from 'tap'
import { groupByPartition, partitionCounter, partitionFor } from '../../src/index.js'

t.test('records are grouped by their key\'s partition, each group in its original order', async (t) => {
  const records = Array.from({ length: 40 }, (_, i) => ({ key: `room-${i % 7}`, n: i }))
  const groups = groupByPartition(records, 12)
  t.equal(groups.flat().length, records.length, 'nothing lost or repeated')
  for (const group of groups) {
    const partition = partitionFor(group[0]!.key, 12)
    t.ok(group.every((r) => partitionFor(r.key, 12) === partition), 'one partition per group')
    t.same(group.map((r) => r.n), [...group.map((r) => r.n)].sort((a, b) => a - b), 'order kept')
  }
  t.equal(partitionFor('a3f1c2d4-0000-4000-8000-000000000000', 1), 0)
})

t.test('the partition count is asked once, and asked again after a failure', async (t) => {
  let calls = 0
  let fail = true
  const count = partitionCounter({
    async topicOffsets () {
      calls++
      if (fail) throw new Error('broker down')
      return [{ partition: 0, high: '0', low: '0' }, { partition: 1, high: '0', low: '0' }]
    }
  }, 'topic')
  await t.rejects(count(), /broker down/)
  fail = false
  t.equal(await count(), 2)
  t.equal(await count(), 2)
  t.equal(calls, 2)
})
