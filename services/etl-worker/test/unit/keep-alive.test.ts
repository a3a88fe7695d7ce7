// A chunk waiting for its (group) write keeps the member alive, and stops waiting — uncommitted,
// its queued write dropped — once the member is evicted or the partition goes stale. With fakes.
import type { BatchControl, IncomingRecord } from '@watch-together/kafka'
import type { EventEnvelope } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import { Registry } from 'prom-client'
import t from 'tap'
import { createBatchHandler } from '../../src/consumer/batch-handler.js'
import { createGroupWriter } from '../../src/consumer/group-writer.js'
import { BatchAbandoned } from '../../src/consumer/retry.js'
import { createEtlMetrics } from '../../src/metrics.js'
import { roomScript } from '../helpers/harness.js'

function batchOf (partition: number, n: number) {
  const room = roomScript(Date.now())
  const records: IncomingRecord[] = Array.from({ length: n }, (_, i) => {
    const event = room.step('member.joined', `u${i}`, { name: 'A', role: 'guest' }, i)
    return { topic: 't', partition, offset: String(10 + i), key: room.roomId, value: Buffer.from(JSON.stringify(event)), headers: {}, timestamp: 0 }
  })
  return { topic: 't', partition, highWatermark: String(10 + n), records }
}

/** A member's view of one batch: heartbeats counted, refused once `evicted`, commits recorded. */
function fakeControl () {
  const state = { heartbeats: 0, evicted: false, stale: false, running: true, commits: [] as string[] }
  const control: BatchControl = {
    isRunning: () => state.running,
    isStale: () => state.stale,
    heartbeat: async () => {
      state.heartbeats++
      if (state.evicted) throw Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' })
    },
    commit: async (offset) => { state.commits.push(offset) }
  }
  return { state, control }
}

/** The real group writer over a MongoDB write that only completes when the test says so. */
function slowArchive () {
  const written: number[] = []
  let release: () => void = () => {}
  let gate = new Promise<void>((resolve) => { release = resolve })
  const write = createGroupWriter(async (events: EventEnvelope[]) => {
    await gate
    written.push(events.length)
    return { events: events.length, eventsInserted: events.length, chatWrites: 0, summariesWritten: 0, duplicateIds: new Set<string>() }
  }, 1000)
  return {
    write,
    written,
    inFlight: () => gate,
    release: () => { release(); gate = Promise.resolve() }
  }
}

function handlerFor (write: ReturnType<typeof slowArchive>['write']) {
  return createBatchHandler({
    write,
    sendDeadLetters: async () => {},
    metrics: createEtlMetrics(new Registry(), async () => []),
    log: { warn: () => {}, debug: () => {} },
    chunkSize: 100,
    retry: { initialMs: 1, maxMs: 2, heartbeatEveryMs: 5 }
  })
}

t.test('a chunk waiting for its write heartbeats all the while, then commits', async (t) => {
  const archive = slowArchive()
  const { state, control } = fakeControl()
  const done = handlerFor(archive.write)(batchOf(0, 3), control)
  // Before the fix nothing heartbeat during a write: a long one outlasted the session.
  await waitFor('heartbeats while the write is in flight', () => state.heartbeats >= 3, 10_000, 5)
  t.same(state.commits, [], 'nothing committed while the write is in flight')
  archive.release()
  await done
  t.same(state.commits, ['12'])
})

t.test('evicted while queued behind another partition\'s write: stops at once with the refusal, uncommitted, its chunk dropped', async (t) => {
  const archive = slowArchive()
  const a = fakeControl()
  const b = fakeControl()
  const handler = handlerFor(archive.write)
  const doneA = handler(batchOf(0, 2), a.control)
  await new Promise((resolve) => setImmediate(resolve)) // a's chunk is the group write in flight
  await new Promise((resolve) => setImmediate(resolve))
  const doneB = handler(batchOf(1, 5), b.control)
  await waitFor('b heartbeating while queued', () => b.state.heartbeats >= 1, 10_000, 5)
  b.state.evicted = true
  // The very kafkajs error, so the consumer rejoins the group (the records go to the next owner).
  t.match(await doneB.then(() => 'resolved', (err: unknown) => err), { type: 'UNKNOWN_MEMBER_ID' }, 'b rejects with it')
  t.same(b.state.commits, [], 'b committed nothing')
  archive.release()
  await doneA
  t.same(a.state.commits, ['11'], 'a, still a member, commits')
  t.same(archive.written, [2], 'b\'s chunk was dropped from the queue, never written')
})

// The two ways a batch stops being this member's to commit while its write is in flight.
const abandonments: Array<[string, (state: ReturnType<typeof fakeControl>['state']) => void]> = [
  ['a partition that went stale during the write is not committed', (state) => { state.stale = true }],
  ['stopping while the write is in flight abandons the batch without waiting for it', (state) => { state.running = false }]
]
for (const [name, abandon] of abandonments) {
  t.test(name, async (t) => {
    const archive = slowArchive()
    const { state, control } = fakeControl()
    const done = handlerFor(archive.write)(batchOf(0, 2), control)
    await waitFor('the write in flight', () => state.heartbeats >= 1, 10_000, 5)
    abandon(state)
    await t.rejects(done, BatchAbandoned, 'given up before the write returned')
    archive.release()
    await archive.inFlight()
    t.same(state.commits, [], 'nothing committed, not even once the write lands')
  })
}
