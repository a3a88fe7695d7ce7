// The shared topic reader (packages/kafka topic-reader.ts) on this machine's stack, stopped by the caller.
import { readTopic as read, type TopicReader } from '@watch-together/kafka'
import { stack } from '@watch-together/test-kit'

export type ReadBack = TopicReader

export async function readTopic (topic: string): Promise<ReadBack> {
  return await read({ teardown () {} }, stack.kafkaBrokers, topic)
}

/**
 * 150 s by default: beyond the outbox's once-a-minute sweep. In the cluster lane of CI an event reached Kafka
 * only after more than 60 s now and then (film-end, membership; cause not found: its immediate drain, set off
 * by the room's hint, seems missed under load and the sweep then sends it), which a 60 s wait failed.
 */
export async function waitForEvents (reader: ReadBack, what: string, check: (events: ReadBack['events']) => boolean, timeoutMs = 150_000) {
  await reader.waitForEvents(what, check, timeoutMs)
}
