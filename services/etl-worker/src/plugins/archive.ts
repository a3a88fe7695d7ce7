import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { archiveCollections, type ArchiveCollections } from '../archive/collections.js'
import { ensureIndexes } from '../archive/indexes.js'
import { createEtlMetrics, type EtlMetrics } from '../metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    archive: { collections: ArchiveCollections, metrics: EtlMetrics }
  }
}

export interface ArchivePluginOptions {
  topic: string
  groupId: string
}

/** The archive's collections (indexes created here, at start) and the worker's metrics. */
async function archive (app: FastifyInstance, opts: ArchivePluginOptions) {
  const collections = archiveCollections(app.mongo.db)
  await ensureIndexes(collections)
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
  app.decorate('archive', { collections, metrics })
}

export const archivePlugin = fp(archive, { name: 'archive', dependencies: ['mongo', 'watch-together-kafka'] })
