import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eventBatchHandler, type IncomingRecord, type OutgoingRecord, PermanentEventError } from '../../src/index.js'

const event = (seq: number, type = 'room.emptied', payload: Record<string, unknown> = {}) => ({
  id: randomUUID(), type, roomId: randomUUID(), userId: null, at: 1, seq, v: 1, source: 'realtime', payload
})
const record = (offset: number, value: string): IncomingRecord =>
  ({ topic: 't', partition: 0, offset: String(offset), key: 'k', value: Buffer.from(value), headers: { origin: 'test' }, timestamp: 0 })
const batch = (records: IncomingRecord[]) => ({ topic: 't', partition: 0, highWatermark: String(records.length), records })

function control (running = () => true) {
  const commits: string[] = []
  return { commits, heartbeat: async () => {}, isRunning: running, isStale: () => false, commit: async (o: string) => { commits.push(o) } }
}
const quiet = { warn () {}, debug () {} }

t.test('each event goes to its type\'s handler, typed; others are skipped; bad records are dead-lettered; one commit', async (t) => {
  const seen: string[] = []
  const dead: OutgoingRecord[] = []
  const handle = eventBatchHandler({
    handlers: {
      'room.emptied': async (e) => { seen.push(`emptied ${e.seq}`) },
      'room.closed': async (e) => { seen.push(`closed ${e.payload.reason}`) }
    },
    deadLetter: async (r) => { dead.push(r) },
    service: 'svc',
    log: quiet
  })
  const ctl = control()
  await handle(batch([
    record(0, JSON.stringify(event(1))),
    record(1, '{oops'),
    record(2, JSON.stringify(event(2, 'room.closed', { reason: 'host' }))),
    record(3, JSON.stringify(event(3, 'chat.reaction_added', { messageId: 'm', emoji: 'x' }))), // no handler: skipped
    record(4, JSON.stringify(event(4, 'future.thing_happened'))), // unknown type: skipped
    record(5, JSON.stringify(event(5, 'room.closed', { reason: 'nope' }))) // its payload fails the schema
  ]), ctl)
  t.same(seen, ['emptied 1', 'closed host'])
  t.same(ctl.commits, ['5'], 'committed once, at the end')
  t.equal(dead.length, 2)
  t.match(dead[0]!.headers, { origin: 'test', 'dlq-reason': /not JSON/, 'dlq-source-topic': 't', 'dlq-source-partition': '0', 'dlq-source-offset': '1', 'dlq-service': 'svc', 'dlq-failed-at': /^\d+$/ },
    'one header format for every service')
  t.match(dead[1]?.headers?.['dlq-reason'], /bad room.closed payload/)
})

t.test('a failing handler is retried in place (an outage skips nothing); a permanent failure is dead-lettered', async (t) => {
  let attempts = 0
  const seen: number[] = []
  const dead: OutgoingRecord[] = []
  const handle = eventBatchHandler({
    handlers: {
      'room.emptied': async (e) => {
        if (e.seq === 2 && ++attempts < 3) throw new Error('database down')
        if (e.seq === 3) throw new PermanentEventError('this can never apply')
        seen.push(e.seq)
      }
    },
    deadLetter: async (r) => { dead.push(r) },
    service: 'svc',
    log: quiet,
    retry: { initialMs: 1, maxMs: 2 }
  })
  const ctl = control()
  await handle(batch([1, 2, 3, 4].map((seq, i) => record(i, JSON.stringify(event(seq))))), ctl)
  t.equal(attempts, 3, 'retried until it worked')
  t.same(seen, [1, 2, 4], 'in order, nothing skipped')
  t.match(dead, [{ headers: { 'dlq-reason': 'this can never apply', 'dlq-source-offset': '2' } }])
  t.same(ctl.commits, ['3'])
})

t.test('a consumer that stops mid-retry commits what was done and leaves the rest for redelivery', async (t) => {
  let running = true
  const handle = eventBatchHandler({
    handlers: { 'room.emptied': async (e) => { if (e.seq === 2) { running = false; throw new Error('database down') } } },
    deadLetter: async () => { t.fail('nothing is dead-lettered') },
    service: 'svc',
    log: quiet,
    retry: { initialMs: 1, maxMs: 1 }
  })
  const ctl = control(() => running)
  await handle(batch([1, 2, 3].map((seq, i) => record(i, JSON.stringify(event(seq))))), ctl)
  t.same(ctl.commits, ['0'], 'only the first was committed')
})

t.test('records whose event-type header names a type without a handler are skipped undecoded; idle batches commit now and then', async (t) => {
  const seen: number[] = []
  const handle = eventBatchHandler({
    handlers: { 'room.emptied': async (e) => { seen.push(e.seq) } },
    deadLetter: async () => { t.fail('a skipped record is never decoded, so never dead-lettered') },
    service: 'svc',
    log: quiet,
    idleCommitMs: 60_000
  })
  const named = (offset: number, type: string, value: string) => ({ ...record(offset, value), headers: { 'event-type': type } })
  const ctl = control()
  // Not JSON at all: only a record that is decoded could fail.
  await handle(batch([named(0, 'chat.message_sent', '{oops'), named(1, 'room.emptied', JSON.stringify(event(1)))]), ctl)
  t.same(seen, [1])
  t.same(ctl.commits, ['1'], 'a batch that applied something commits at once')
  const behind = { ...batch([named(2, 'chat.message_sent', '{oops'), named(3, 'player.state_changed', '{oops')]), highWatermark: '10' }
  await handle(behind, ctl)
  t.same(ctl.commits, ['1'], 'a batch of other consumers\' records waits for the idle commit')
  const last = { ...batch([named(4, 'chat.message_sent', '{oops')]), highWatermark: '5' }
  await handle(last, ctl)
  t.same(ctl.commits, ['1', '4'], 'an idle batch at the partition\'s end commits at once (the group shows no lag)')
  const eager = eventBatchHandler({ handlers: {}, deadLetter: async () => {}, service: 'svc', log: quiet })
  const ctl2 = control()
  await eager(batch([named(0, 'chat.message_sent', '{oops')]), ctl2)
  t.same(ctl2.commits, ['0'], 'without idleCommitMs every batch commits')
})
