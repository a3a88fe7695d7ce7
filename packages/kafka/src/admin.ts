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
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions }))
      })
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
