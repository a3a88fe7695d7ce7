import { createConsumer, createProducer, eventRecord } from '@watch-together/kafka'
import { type EventEnvelope, eventKey, parseEvent } from '@watch-together/protocol'
import { stack, uniqueName, waitFor } from '@watch-together/test-kit'

interface Teardown { teardown (fn: () => unknown): void }

/** Reads a topic from the beginning into an array, in partition order, until the test ends; `bad` holds what does not parse or is keyed wrong. */
export async function collectTopic (t: Teardown, topic: string) {
  const consumer = createConsumer({ brokers: stack.kafkaBrokers, clientId: uniqueName('reader'), retries: 5 }, { groupId: uniqueName('reader') })
  await consumer.connect()
  t.teardown(() => consumer.disconnect())
  await consumer.subscribe([topic], { fromBeginning: true })
  const events: Array<EventEnvelope & { partition: number }> = []
  const bad: Array<{ offset: string, key: string | null, value: string, headers: Record<string, string> }> = []
  await consumer.run(async (batch) => {
    for (const record of batch.records) {
      const parsed = parseEvent(record.value)
      if (parsed.success && record.key === eventKey(parsed.envelope)) events.push({ ...parsed.envelope, partition: batch.partition })
      else bad.push({ offset: record.offset, key: record.key, value: record.value?.toString('utf8') ?? '', headers: record.headers })
    }
  })
  return {
    events,
    bad,
    async waitForCount (n: number, timeoutMs = 60_000) {
      return await waitFor(`${n} events on ${topic}`, () => events.length >= n && events, timeoutMs)
    }
  }
}

export async function produce (t: Teardown, topic: string, events: EventEnvelope[], raw: Array<{ key: string, value: string }> = []) {
  const producer = createProducer({ brokers: stack.kafkaBrokers, clientId: uniqueName('writer'), retries: 5 })
  await producer.connect()
  t.teardown(() => producer.disconnect())
  await producer.send(topic, [...raw, ...events.map(eventRecord)])
}
