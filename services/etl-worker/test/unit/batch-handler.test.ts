// The batch handler with fakes: what is committed, when, and what is dead-lettered.
import type { BatchControl, IncomingRecord, OutgoingRecord } from '@watch-together/kafka'
import type { EventEnvelope } from '@watch-together/protocol'
import { Registry } from 'prom-client'
import t from 'tap'
import { createBatchHandler } from '../../src/consumer/batch-handler.js'
import { BatchAbandoned } from '../../src/consumer/retry.js'
import { createEtlMetrics } from '../../src/metrics.js'
import { roomScript } from '../helpers/harness.js'

function records (events: Array<EventEnvelope | string>): IncomingRecord[] {
  return events.map((e, i) => ({ topic: 't', partition: 0, offset: String(100 + i), key: 'k', value: Buffer.from(typeof e === 'string' ? e : JSON.stringify(e)), headers: {}, timestamp: 0 }))
}

function setup (write: (events: EventEnvelope[]) => Promise<void>) {
  const commits: string[] = []
  const dead: OutgoingRecord[] = []
  const log: string[] = []
  const control: BatchControl & { running: boolean } = {
    running: true,
    isRunning () { return this.running },
    isStale: () => false,
    heartbeat: async () => {},
    commit: async (offset) => { commits.push(offset) }
  }
  const handler = createBatchHandler({
    write: async (events) => { await write(events); log.push(`write ${events.length}`); return { events: events.length, eventsInserted: events.length, chatWrites: 0, summariesWritten: 0 } },
    sendDeadLetters: async (r) => { dead.push(...r); log.push(`dlq ${r.length}`) },
    metrics: createEtlMetrics(new Registry(), async () => []),
    log: { warn: () => {}, debug: () => {} },
    chunkSize: 2,
    retry: { initialMs: 1, maxMs: 2 }
  })
  return { handler, control, commits, dead, log }
}

t.test('chunks are written, dead-lettered, then committed in order', async (t) => {
  const room = roomScript(Date.now())
  const a = room.step('member.joined', 'u1', { name: 'A', role: 'guest' }, 0)
  const b = room.step('member.joined', 'u2', { name: 'B', role: 'guest' }, 1)
  const { handler, control, commits, dead, log } = setup(async () => {})
  await handler({ topic: 't', partition: 0, highWatermark: '103', records: records([a, 'garbage', b]) }, control)
  t.same(commits, ['101', '102'])
  t.same(log, ['write 1', 'dlq 1', 'write 1'])
  t.equal(dead[0]?.value.toString(), 'garbage')
})

t.test('a failing write is retried and nothing is committed until it succeeds', async (t) => {
  const room = roomScript(Date.now())
  const a = room.step('member.joined', 'u1', { name: 'A', role: 'guest' }, 0)
  let failures = 2
  const { handler, control, commits } = setup(async () => { if (failures-- > 0) { t.same(commits, []); throw new Error('mongo down') } })
  await handler({ topic: 't', partition: 0, highWatermark: '101', records: records([a]) }, control)
  t.same(commits, ['100'])
})

t.test('stopping during an outage abandons the batch uncommitted', async (t) => {
  const room = roomScript(Date.now())
  const a = room.step('member.joined', 'u1', { name: 'A', role: 'guest' }, 0)
  const { handler, control, commits } = setup(async () => { control.running = false; throw new Error('mongo down') })
  await t.rejects(handler({ topic: 't', partition: 0, highWatermark: '101', records: records([a]) }, control), BatchAbandoned)
  t.same(commits, [])
})
