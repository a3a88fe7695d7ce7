import { randomUUID } from 'node:crypto'
import { type EventEnvelope, eventKey, parseEvent } from '@watch-together/protocol'
import { createConsumer } from './consumer.js'
import { createProducer, eventRecord } from './producer.js'

interface Teardown { teardown (fn: () => unknown): void }

const unique = (what: string) => `${what}_${randomUUID().slice(0, 8)}`

async function waitFor<T> (what: string, check: () => T | false | undefined, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export type ReadEvent = EventEnvelope & { key: string | null, partition: number }
export interface BadRecord { offset: string, key: string | null, value: string, headers: Record<string, string>, reason: string }

/**
 * Reads a topic from the beginning with a consumer group of its own until the test ends (the one
 * reader every service's tests, benches and drills use). `events` holds what parses and is keyed as its producer must
 * (room id, or `user:<id>` for user-scoped events), in partition order, each record once even if a
 * rebalance hands a batch over again; `bad` holds the rest, with the reason.
 */
export async function readTopic (t: Teardown, brokers: string[], topic: string) {
  const consumer = createConsumer({ brokers, clientId: unique('reader'), retries: 5 }, { groupId: unique('reader') })
  await consumer.connect()
  t.teardown(() => consumer.disconnect())
  await consumer.subscribe([topic], { fromBeginning: true })
  const events: ReadEvent[] = []
  const bad: BadRecord[] = []
  const seen = new Set<string>()
  await consumer.run(async (batch, control) => {
    for (const record of batch.records) {
      const where = `${batch.partition}:${record.offset}`
      if (seen.has(where)) continue
      seen.add(where)
      const parsed = parseEvent(record.value)
      const reason = !parsed.success ? parsed.error.message : record.key !== eventKey(parsed.envelope) ? `keyed ${String(record.key)}` : null
      if (parsed.success && reason === null) events.push({ ...parsed.envelope, key: record.key, partition: batch.partition })
      else bad.push({ offset: record.offset, key: record.key, value: record.value?.toString('utf8') ?? '', headers: record.headers, reason: reason ?? '' })
      await control.commit(record.offset)
    }
  })
  return {
    events,
    bad,
    async waitForCount (n: number, timeoutMs = 60_000) {
      return await waitFor(`${n} events on ${topic}`, () => events.length >= n && events, timeoutMs)
    },
    async waitForEvents (what: string, check: (events: ReadEvent[]) => boolean, timeoutMs = 60_000) {
      await waitFor(what, () => check(events), timeoutMs, 200)
    },
    stop: () => consumer.disconnect()
  }
}
export type TopicReader = Awaited<ReturnType<typeof readTopic>>

/** Produces events (and raw records) to a topic, as a test's stand-in for another service. */
export async function produceEvents (t: Teardown, brokers: string[], topic: string, events: EventEnvelope[], raw: Array<{ key: string, value: string }> = []) {
  const producer = createProducer({ brokers, clientId: unique('writer'), retries: 5 })
  await producer.connect()
  t.teardown(() => producer.disconnect())
  await producer.send(topic, [...raw, ...events.map(eventRecord)])
}
