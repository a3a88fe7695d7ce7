// Group commit and the write limiter, with fakes.
import type { EventEnvelope } from '@watch-together/protocol'
import t from 'tap'
import { SummaryCache } from '../../src/archive/summary-cache.js'
import { emptySummary } from '../../src/archive/summary-reducer.js'
import { createWriteLimiter, MongoRequestTimeout } from '../../src/archive/write-limiter.js'
import { createGroupWriter } from '../../src/consumer/group-writer.js'
import { roomScript } from '../helpers/harness.js'

const events = (n: number) => {
  const room = roomScript(Date.now())
  return Array.from({ length: n }, (_, i) => room.step('member.joined', `u${i}`, { name: 'A', role: 'guest' }, i))
}

t.test('chunks handed in together are written together, filled up to the limit, each told its own result', async (t) => {
  const writes: number[] = []
  const [a, b, c] = [events(3), events(2), events(4)]
  const write = createGroupWriter(async (all: EventEnvelope[]) => {
    writes.push(all.length)
    return { events: all.length, eventsInserted: all.length - 1, chatWrites: 0, summariesWritten: 0, duplicateIds: new Set([a[0]!.id]) }
  }, 6)
  const results = await Promise.all([write(a), write(b), write(c)])
  t.same(writes, [6, 3], 'a, b and the first event of c in one write, the rest of c in the next')
  t.same(results.map((r) => [r.events, r.eventsInserted]), [[3, 2], [2, 2], [4, 4]], 'duplicates attributed to their own chunk')
})

t.test('a split chunk is done only when its last part is durable, and fails if any part fails', async (t) => {
  const [a, b] = [events(4), events(4)]
  const order: string[] = []
  let calls = 0
  const write = createGroupWriter(async (all: EventEnvelope[]) => {
    calls++
    order.push(`write ${all.length}`)
    if (calls === 2) throw new Error('mongo down')
    return { events: all.length, eventsInserted: all.length, chatWrites: 0, summariesWritten: 0, duplicateIds: new Set<string>() }
  }, 6)
  const outcomes = await Promise.allSettled([write(a), write(b)])
  t.same(order, ['write 6', 'write 2'], 'all of a and 2 events of b, then the rest of b')
  t.same(outcomes.map((o) => o.status), ['fulfilled', 'rejected'], 'a is done with the first write; b waited for its second part, failed with it, so its caller retries all of it')
})

t.test('an aborted chunk drops its parts still queued', async (t) => {
  const writes: string[][] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const write = createGroupWriter(async (all: EventEnvelope[]) => {
    writes.push(all.map((e) => e.id))
    if (writes.length === 1) await gate
    return { events: all.length, eventsInserted: all.length, chatWrites: 0, summariesWritten: 0, duplicateIds: new Set<string>() }
  }, 3)
  const [a, b] = [events(2), events(4)]
  const aborter = new AbortController()
  const first = write(a)
  await new Promise((resolve) => setImmediate(resolve))
  const second = write(b, aborter.signal)
  aborter.abort(new Error('partition lost'))
  release()
  await first
  await t.rejects(second, { message: 'partition lost' })
  const c = events(1)
  await write(c)
  t.same(writes, [a.map((e) => e.id), c.map((e) => e.id)], 'nothing of b was written')
})

t.test('a failed group write fails every chunk in it, and the writer goes on', async (t) => {
  let fail = true
  const write = createGroupWriter(async (all: EventEnvelope[]) => {
    if (fail) { fail = false; throw new Error('mongo down') }
    return { events: all.length, eventsInserted: all.length, chatWrites: 0, summariesWritten: 0, duplicateIds: new Set<string>() }
  }, 100)
  const outcomes = await Promise.allSettled([write(events(1)), write(events(1))])
  t.same(outcomes.map((o) => o.status), ['rejected', 'rejected'])
  t.equal((await write(events(2))).events, 2)
})

t.test('the write limiter keeps at most N requests in flight', async (t) => {
  const limit = createWriteLimiter(2)
  let running = 0
  let peak = 0
  await Promise.all(Array.from({ length: 6 }, () => limit(async () => {
    running++
    peak = Math.max(peak, running)
    await new Promise((resolve) => setTimeout(resolve, 5))
    running--
  })))
  t.equal(peak, 2)
})

t.test('a request that never answers times out and frees its slot for the next', async (t) => {
  const limit = createWriteLimiter(1, 50)
  const hung = limit(() => new Promise<never>(() => {}))
  const next = limit(async () => 'written')
  await t.rejects(hung, MongoRequestTimeout, 'the silent request fails, so the batch retries it')
  t.equal(await next, 'written', 'the request behind it was not held up for good')
})

t.test('the summary cache forgets its oldest rooms past its size', async (t) => {
  const cache = new SummaryCache(2)
  for (const id of ['r1', 'r2', 'r3']) cache.set(emptySummary(id, 0))
  t.equal(cache.get('r1'), undefined)
  t.equal(cache.get('r3')?._id, 'r3')
  t.equal(cache.size, 2)
})
