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

type KafkaAdmin = ReturnType<ReturnType<typeof createKafkaClient>['admin']>

/** What a broker answers about a topic its controller has just created, before its metadata caught up. */
const NOT_YET = new Set(['LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION'])
const LEADERS_TIMEOUT_MS = 30_000

/**
 * Waits until every partition of `topics` has a leader. Here, not in kafkajs (`waitForLeaders`): its
 * wait tolerates only LEADER_NOT_AVAILABLE, and a freshly started KRaft broker answered
 * UNKNOWN_TOPIC_OR_PARTITION for a topic just created, which failed the creation (a crashed test in CI).
 */
async function waitForLeaders (admin: KafkaAdmin, topics: string[]) {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics })
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return
    } catch (err) {
      if (!NOT_YET.has((err as { type?: string }).type ?? '')) throw err
    }
    if (Date.now() > deadline) throw new Error(`Kafka: the partitions of ${topics.join(', ')} have no leader after ${LEADERS_TIMEOUT_MS / 1000} s`)
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
      await waitForLeaders(admin, missing.map((t) => t.topic))
    },
    async deleteTopics (topics) {
      await admin.deleteTopics({ topics })
    },
    async topicOffsets (topic) {
      const offsets = await admin.fetchTopicOffsets(topic)
      return offsets.map((o) => ({ partition: o.partition, high: o.high, low: o.low }))
    },
    async groupOffsets (groupId, topic) {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] })
      return (entry?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }))
    }
  }
}
