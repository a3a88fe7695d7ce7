// Reads a test topic back with a consumer of its own group (shared by the Kafka tests).
import { createConsumer } from '@watch-together/kafka'
import { type EventEnvelope, parseEvent } from '@watch-together/protocol'
import { stack, uniqueName, waitFor } from '@watch-together/test-kit'

export interface ReadBack { events: Array<EventEnvelope & { key: string | null }>, stop (): Promise<void> }

export async function readTopic (topic: string): Promise<ReadBack> {
  const consumer = createConsumer({ brokers: stack.kafkaBrokers, clientId: 'realtime-test-reader' }, { groupId: uniqueName('reader') })
  const events: ReadBack['events'] = []
  // A rebalance can hand the reader a batch again: the same record (partition + offset) counts once,
  // so what remains are real duplicates on the topic.
  const seen = new Set<string>()
  await consumer.connect()
  await consumer.subscribe([topic], { fromBeginning: true })
  await consumer.run(async (batch, control) => {
    for (const record of batch.records) {
      const where = `${record.partition}:${record.offset}`
      if (seen.has(where)) continue
      seen.add(where)
      const parsed = parseEvent(record.value)
      if (parsed.success) events.push({ ...parsed.envelope, key: record.key })
      else events.push({ key: record.key, type: 'UNPARSABLE', payload: { error: parsed.error.message } } as never)
      await control.commit(record.offset)
    }
  })
  return { events, stop: () => consumer.disconnect() }
}

export async function waitForEvents (read: ReadBack, what: string, check: (events: ReadBack['events']) => boolean, timeoutMs = 60_000) {
  await waitFor(what, () => check(read.events), timeoutMs, 200)
}
