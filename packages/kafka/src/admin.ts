import { createKafkaClient } from './client.js'
import type { KafkaSettings, TopicSpec } from './types.js'

export interface Admin {
  connect (): Promise<void>
  /** Asks the cluster for its brokers: a real request, used by /readyz. */
  ping (): Promise<{ brokers: number }>
  /** Creates the topics that do not exist yet (replication factor 1 locally, the broker default elsewhere). */
  ensureTopics (topics: TopicSpec[]): Promise<void>
  deleteTopics (topics: string[]): Promise<void>
  /** Latest offset (high watermark) per partition. */
  topicOffsets (topic: string): Promise<Array<{ partition: number, high: string, low: string }>>
  /** Committed offset per partition for a consumer group ('-1' when nothing is committed). */
  groupOffsets (groupId: string, topic: string): Promise<Array<{ partition: number, offset: string }>>
  disconnect (): Promise<void>
}

/** How long a topic just created may take to be served (leaders elected, and answering). */
const READY_TIMEOUT_MS = 30_000
/**
 * How long offsets are asked again while a leader moves: short, since the lag gauges read them on every
 * metrics scrape and must fail fast when Kafka is away.
 */
const OFFSETS_RETRY_MS = 3_000

/** Whether kafkajs marks an error as one a later try may not get (a leader moving, metadata catching up). */
const retriable = (err: unknown) => (err as { retriable?: boolean } | null)?.retriable === true

/**
 * Calls `fn` until it answers, asking again after an error kafkajs marks retriable, for about `limitMs`
 * (errors kafkajs already retries itself, such as LEADER_NOT_AVAILABLE, reach here only once its own
 * retries are spent, as non-retriable, and fail at once). kafkajs gives up at once on some of them: its createTopics wait tolerates only LEADER_NOT_AVAILABLE (a fresh KRaft broker
 * answered UNKNOWN_TOPIC_OR_PARTITION for a topic its controller had just created), and fetchTopicOffsets
 * fails on NOT_LEADER_FOR_PARTITION, which a broker answers for a new partition that its metadata already
 * shows led by it, before it has taken the leadership (half of the runs of a test here; a crash in CI).
 */
async function untilServed<T> (what: string, limitMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    let last: unknown
    try {
      const result = await fn()
      if (result !== undefined) return result
    } catch (err) {
      if (!retriable(err)) throw err
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka: ${what} not served after ${limitMs / 1000} s${last ? ` (last error: ${(last as Error).message})` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export function createAdmin (settings: KafkaSettings): Admin {
  const admin = createKafkaClient(settings).admin()
  return {
    connect: () => admin.connect(),
    disconnect: () => admin.disconnect(),
    async ping () {
      const cluster = await admin.describeCluster()
      return { brokers: cluster.brokers.length }
    },
    async ensureTopics (topics) {
      const existing = new Set(await admin.listTopics())
      const missing = topics.filter((t) => !existing.has(t.topic))
      if (missing.length === 0) return
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions }))
      })
      const names = missing.map((t) => t.topic)
      // Ready means served: every partition has a leader in the metadata, and its leader answers for it.
      await untilServed(`the partitions of ${names.join(', ')}`, READY_TIMEOUT_MS, async () => {
        const { topics: found } = await admin.fetchTopicMetadata({ topics: names })
        return found.length === names.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) ? true : undefined
      })
      for (const name of names) await untilServed(`the offsets of ${name}`, READY_TIMEOUT_MS, () => admin.fetchTopicOffsets(name))
    },
    async deleteTopics (topics) {
      await admin.deleteTopics({ topics })
    },
    async topicOffsets (topic) {
      // A partition's leader can move (a broker restarted or failed over): asked again until one answers.
      const offsets = await untilServed(`the offsets of ${topic}`, OFFSETS_RETRY_MS, () => admin.fetchTopicOffsets(topic))
      return offsets.map((o) => ({ partition: o.partition, high: o.high, low: o.low }))
    },
    async groupOffsets (groupId, topic) {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] })
      return (entry?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }))
    }
  }
}
