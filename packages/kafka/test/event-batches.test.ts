import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eventBatchHandler, type IncomingRecord } from '../src/index.js'

const event = (seq: number) => ({
  id: randomUUID(), type: 'room.emptied', roomId: randomUUID(), userId: null, at: 1, seq, v: 1, source: 'realtime', payload: {}
})
const record = (offset: number, value: string): IncomingRecord =>
  ({ topic: 't', partition: 0, offset: String(offset), key: 'k', value: Buffer.from(value), headers: {}, timestamp: 0 })

function control (running = () => true) {
  const commits: string[] = []
  return { commits, heartbeat: async () => {}, isRunning: running, isStale: () => false, commit: async (o: string) => { commits.push(o) } }
}

t.test('events and invalid records are handed on in order, then the batch is committed once', async (t) => {
  const seen: string[] = []
  const handle = eventBatchHandler({
    async onEvent (e) { seen.push(`event ${e.seq}`) },
    onInvalid (r, err) { seen.push(`invalid ${r.offset}: ${err.message.slice(0, 12).trim()}`) }
  })
  const ctl = control()
  await handle({ topic: 't', partition: 0, highWatermark: '3', records: [record(0, JSON.stringify(event(1))), record(1, '{oops'), record(2, JSON.stringify(event(2)))] }, ctl)
  t.same(seen, ['event 1', 'invalid 1: value is not', 'event 2'])
  t.same(ctl.commits, ['2'])
})

t.test('a failing event commits what came before it and rethrows (it is delivered again)', async (t) => {
  const handle = eventBatchHandler({
    async onEvent (e) { if (e.seq === 2) throw new Error('database down') },
    onInvalid () {}
  })
  const ctl = control()
  await t.rejects(handle({ topic: 't', partition: 0, highWatermark: '3', records: [record(5, JSON.stringify(event(1))), record(6, JSON.stringify(event(2)))] }, ctl), /database down/)
  t.same(ctl.commits, ['5'])
})

t.test('a stopping consumer ends the batch early and commits nothing it did not handle', async (t) => {
  const handle = eventBatchHandler({ async onEvent () {}, onInvalid () {} })
  const ctl = control(() => false)
  await handle({ topic: 't', partition: 0, highWatermark: '1', records: [record(0, JSON.stringify(event(1)))] }, ctl)
  t.same(ctl.commits, [])
})
