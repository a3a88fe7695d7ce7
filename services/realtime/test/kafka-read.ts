// The shared topic reader (packages/kafka topic-reader.ts) on this machine's stack, stopped by the caller.
import { createAdmin, readTopic as read, type TopicReader } from '@watch-together/kafka'
import { stack } from '@watch-together/test-kit'
import type { FastifyInstance } from 'fastify'

export type ReadBack = TopicReader & { topic: string }

export async function readTopic (topic: string): Promise<ReadBack> {
  return { ...await read({ teardown () {} }, stack.kafkaBrokers, topic), topic }
}

/**
 * 150 s by default: beyond the outbox's once-a-minute sweep. In the cluster lane of CI an event reached Kafka
 * only after more than 60 s now and then, and once not within 150 s (film-end, membership; cause not found).
 * A wait that fails says which side held the event: the topic's record count against what the reader consumed.
 */
export async function waitForEvents (reader: ReadBack, what: string, check: (events: ReadBack['events']) => boolean, timeoutMs = 150_000, publishers: FastifyInstance[] = []) {
  try {
    await reader.waitForEvents(what, check, timeoutMs)
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${await where(reader)}${publishers.length > 0 ? `; ${await outboxes(publishers)}` : ''}`)
  }
}

/** Each publishing app's leases and drain loop, and who holds each bucket's lease with how many streams it has hinted: where a held event waits. */
async function outboxes (apps: FastifyInstance[]): Promise<string> {
  try {
    // Bounded: when Redis is what failed, its commands may wait for a reconnect, and the wait's own error must still come.
    const status = await Promise.race([
      Promise.all(apps.map(async (app) => await app.outboxStatus())),
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('no answer from Redis in 5 s')), 5000).unref())
    ])
    const names = new Map(status.map((s, i) => [s.holder, `app ${i}`]))
    const leases = status[0]!.buckets.map(({ bucket, holder, hinted }) => `b${bucket} ${holder === null ? 'free' : names.get(holder) ?? 'another holder'} (${hinted} hinted)`)
    const own = status.map(({ buckets: _, ...rest }, i) => `app ${i} ${JSON.stringify(rest)}`)
    return `outbox: ${own.join('; ')}; leases: ${leases.join(', ')}`
  } catch (err) {
    return `the outbox state could not be read (${(err as Error).message})`
  }
}

/** How many records the topic holds against how many the reader consumed (both sides of a missing event). */
async function where (reader: ReadBack): Promise<string> {
  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'wait-diagnosis', retries: 1 })
  try {
    await admin.connect()
    const offsets = await admin.topicOffsets(reader.topic)
    const held = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
    return `${reader.topic} holds ${held} records; the reader consumed ${reader.events.length + reader.bad.length} (${reader.bad.length} bad)` +
      (held > reader.events.length + reader.bad.length ? ': the reader is behind' : ': the event was never published')
  } catch (err) {
    return `the topic's offsets could not be read (${(err as Error).message})`
  } finally {
    await admin.disconnect().catch(() => {})
  }
}
