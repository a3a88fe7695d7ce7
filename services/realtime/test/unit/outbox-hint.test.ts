// A hint the outbox index fails to write is written again: left to the sweep, its stream's events would wait
// up to a minute for Kafka (a cluster-lane test waited 60 s for a room's events at load 13).
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createOutboxIndex } from '../../src/kafka/outbox-index.js'
import type { RedisClient } from '../../src/plugins/redis.js'

t.test('a hint whose SADD fails is written again, once it succeeds', async (t) => {
  const written: Array<[string, string[]]> = []
  let failures = 2
  const redis = {
    async sAdd (key: string, members: string[]) {
      if (failures-- > 0) throw new Error('command timed out')
      written.push([key, members])
      return members.length
    }
  } as unknown as RedisClient
  const index = createOutboxIndex(redis, 'wt', 8)
  const stream = 'wt:outbox:{room-1}'
  index.hintSoon(stream)
  const [key, members] = await waitFor('the hint written', () => written[0], 5_000)
  t.equal(key, index.hintOf(index.bucketOf(stream)), 'in the stream\'s bucket')
  t.same(members, [stream])
  t.equal(written.length, 1, 'written once')
})
