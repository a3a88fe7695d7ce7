// The shared topic reader (packages/kafka topic-reader.ts) on this machine's stack, stopped by the caller.
import { readTopic as read, type TopicReader } from '@watch-together/kafka'
import { stack } from '@watch-together/test-kit'

export type ReadBack = TopicReader

export async function readTopic (topic: string): Promise<ReadBack> {
  return await read({ teardown () {} }, stack.kafkaBrokers, topic)
}

export async function waitForEvents (reader: ReadBack, what: string, check: (events: ReadBack['events']) => boolean, timeoutMs = 60_000) {
  await reader.waitForEvents(what, check, timeoutMs)
}
