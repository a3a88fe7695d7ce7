// A hint the outbox index fails to write is written again, and an emit whose reply is lost hints anyway: left to the sweep, its stream's events would wait
// up to a minute for Kafka (a cluster-lane test waited 60 s for a room's events at load 13).
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createOutboxIndex } from '../../src/kafka/outbox-index.js'
import type { RedisClient } from '../../src/plugins/redis.js'
import { roomKeys } from '../../src/rooms/keys.js'
import { createRoomLog } from '../../src/rooms/room-log.js'

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

t.test('an emit whose reply is lost still hints its outbox stream (the step may have run)', async (t) => {
  const written: Array<[string, string[]]> = []
  const redis = {
    async evalSha () { throw new Error('command timed out') },
    async sAdd (key: string, members: string[]) { written.push([key, members]); return members.length }
  } as unknown as RedisClient
  const outbox = createOutboxIndex(redis, 'wt', 8)
  const log = createRoomLog(redis, { prefix: 'wt', eventsMaxLen: 100, outboxMaxLen: 100, chatHistorySize: 10, ttlSeconds: 60, checkFrames: false, outbox })
  const roomId = '7d3c4b8e-5f6a-4b1c-9d2e-0f1a2b3c4d5e'
  await t.rejects(log.emit(roomId, { event: { type: 'room.emptied', userId: null, at: Date.now(), payload: {} } }), /timed out/)
  const stream = roomKeys('wt', roomId).outbox
  const [key, members] = await waitFor('the hint written', () => written[0], 5_000)
  t.equal(key, outbox.hintOf(outbox.bucketOf(stream)), 'in the stream\'s bucket')
  t.same(members, [stream])
  // A step that carries no event has no outbox entry to hint.
  await t.rejects(log.emit(roomId, { frame: { type: 'presence.joined', at: Date.now(), userId: 'u', name: 'U' } as never }))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(written.length, 1, 'nothing hinted for a frame-only step')
})
