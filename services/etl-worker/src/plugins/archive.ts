import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { archiveCollections, type ArchiveCollections } from '../archive/collections.js'
import { SummaryCache } from '../archive/summary-cache.js'
import { createWriteLimiter, type WriteLimiter } from '../archive/write-limiter.js'
import { createEtlMetrics, type EtlMetrics } from '../metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    archive: {
      collections: ArchiveCollections
      metrics: EtlMetrics
      /** The summaries this process last wrote (see summary-cache.ts). */
      summaries: SummaryCache
      /** Bounds the archive's MongoDB requests in flight across partitions. */
      limit: WriteLimiter
      /** Partitions of the topic this member consumes now (empty while rebalancing or stopped). */
      assignment: Set<number>
    }
  }
}

export interface ArchivePluginOptions {
  topic: string
  groupId: string
  writeConcurrency: number
  writeTimeoutMs: number
}

/** The archive's collections (their indexes are made by the mongo plugin's `prepare`) and the worker's metrics. */
async function archive (app: FastifyInstance, opts: ArchivePluginOptions) {
  const collections = archiveCollections(app.mongo.db)
  const metrics = createEtlMetrics(app.metrics, async () => {
    if (!app.kafka.isConnected()) return []
    const [ends, committed] = await Promise.all([
      app.kafka.admin.topicOffsets(opts.topic),
      app.kafka.admin.groupOffsets(opts.groupId, opts.topic)
    ])
    const done = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]))
    return ends.map((end) => {
      const at = done.get(end.partition) ?? -1n
      const from = at < 0n ? BigInt(end.low) : at
      return { topic: opts.topic, partition: end.partition, lag: Number(BigInt(end.high) - from) }
    })
  })
  const onTimeout = (ms: number) => {
    metrics.writeTimeouts.inc()
    app.log.warn({ durationMs: ms }, `MongoDB request of the archive unanswered after ${ms} ms; abandoned, its chunk will be retried`)
  }
  const limit = createWriteLimiter(opts.writeConcurrency, opts.writeTimeoutMs, onTimeout)
  app.decorate('archive', { collections, metrics, summaries: new SummaryCache(), limit, assignment: new Set<number>() })
}

export const archivePlugin = fp(archive, { name: 'archive', dependencies: ['mongo', 'watch-together-kafka'] })
