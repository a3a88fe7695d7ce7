// The outbox's bucket leases against real Redis (single node or cluster), with short timings: a fair
// share each, and a bucket that nobody under their share takes — its instance stuck with a drain pass,
// or counting the live instances differently — is adopted by an instance at its share, not left for
// its rooms' events to wait in Redis until someone's share grows (the cluster lane once held one 158 s).
import { uniqueName, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createOutboxIndex, type OutboxIndex } from '../src/kafka/outbox-index.js'
import { createOutboxLeases, type LeaseTiming } from '../src/kafka/outbox-leases.js'
import type { RedisClient } from '../src/plugins/redis.js'
import { testRedis } from './helpers.js'

const timing: LeaseTiming = { leaseMs: 1500, renewMs: 200, trustMs: 1000, tryMs: 100, orphanMs: 600 }
const warnings: string[] = []
const log = { info () {}, warn (_obj: object, msg: string) { warnings.push(msg) } } as never

/** An instance's leases, passing (calling current()) every 50 ms until paused; `live` instances counted. */
function instance (redis: RedisClient, index: OutboxIndex, name: string, live: () => number) {
  const leases = createOutboxLeases(redis, index, name, log, async () => live(), timing)
  let paused = false
  const state = { stopped: false }
  const loop = (async () => {
    while (!state.stopped) {
      if (!paused) await leases.current().catch(() => {}) // the client closes at teardown
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  return {
    leases,
    pause: () => { paused = true },
    resume: () => { paused = false },
    stop: async () => { if (state.stopped) return; state.stopped = true; await loop; await leases.releaseAll() }
  }
}

t.test('two instances share the buckets; a bucket free past orphanMs is adopted, kept a lease\'s life, then handed back', async (t) => {
  const redis = await testRedis(t)
  const index = createOutboxIndex(redis, uniqueName('leases'), 8)
  let live = 1
  const a = instance(redis, index, 'a', () => live)
  t.teardown(() => a.stop())
  await waitFor('a to take every bucket while alone', async () => a.leases.held().length === 8 || undefined, 10_000, 50)
  live = 2
  const b = instance(redis, index, 'b', () => live)
  t.teardown(() => b.stop())
  // A gives back above its share (4 of 8 with two live instances); b takes them.
  await waitFor('a fair share each', async () => (a.leases.held().length === 4 && b.leases.held().length === 4) || undefined, 10_000, 50)
  t.same([...a.leases.held(), ...b.leases.held()].sort(), [0, 1, 2, 3, 4, 5, 6, 7], 'each bucket held once')
  await new Promise((resolve) => setTimeout(resolve, timing.orphanMs * 2))
  t.same([a.leases.held().length, b.leases.held().length], [4, 4], 'still a fair share each')
  t.same(warnings, [], 'a normal hand-over adopts nothing (b took them within orphanMs)')

  // b stops passing (a drain pass that never ends): its leases run out, and a, at its share, adopts them.
  b.pause()
  const stuckAt = Date.now()
  await waitFor('a to adopt b\'s buckets', async () => a.leases.held().length === 8 || undefined, 10_000, 50)
  t.ok(Date.now() - stuckAt >= timing.leaseMs, 'not before b\'s leases ran out')
  t.equal(a.leases.status().adopted.length, 4, 'adopted beyond its share')
  t.ok(warnings.includes('outbox bucket free while every instance held its fair share: taken beyond it'), 'and said so')

  // b passes again: a keeps the adopted ones a lease's life, then gives them back and b takes them.
  b.resume()
  await waitFor('a fair share each again', async () => (a.leases.held().length === 4 && b.leases.held().length === 4) || undefined, 10_000, 50)
  t.same([...a.leases.held(), ...b.leases.held()].sort(), [0, 1, 2, 3, 4, 5, 6, 7], 'each bucket held once')
  const holders = await Promise.all(Array.from({ length: 8 }, async (_, bucket) => await redis.get(index.leaseOf(bucket))))
  t.same(holders, Array.from({ length: 8 }, (_, bucket) => a.leases.held().includes(bucket) ? 'a' : 'b'), 'and so in Redis')
  await Promise.all([a.stop(), b.stop()])
})
