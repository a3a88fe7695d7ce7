// The shared topic reader (packages/kafka topic-reader.ts) on this machine's stack.
import { produceEvents, readTopic } from '@watch-together/kafka'
import type { EventEnvelope } from '@watch-together/protocol'
import { stack } from '@watch-together/test-kit'

interface Teardown { teardown (fn: () => unknown): void }

export const collectTopic = async (t: Teardown, topic: string) => await readTopic(t, stack.kafkaBrokers, topic)

export const produce = async (t: Teardown, topic: string, events: EventEnvelope[], raw: Array<{ key: string, value: string }> = []) =>
  await produceEvents(t, stack.kafkaBrokers, topic, events, raw)
