import { eventConsumerPlugin } from '@watch-together/kafka'
import type { FastifyInstance } from 'fastify'
import { writeArchive } from '../archive/archive-writer.js'
import { createBatchHandler } from '../consumer/batch-handler.js'
import { createGroupWriter } from '../consumer/group-writer.js'

export interface ConsumerPluginOptions {
  topic: string
  dlqTopic: string
  groupId: string
  sessionTimeoutMs: number
  partitionConcurrency: number
  fetchPartitionBytes: number
  chunkSize: number
  retry: { initialMs: number, maxMs: number }
}

/**
 * The archive consumer, on the shared consumer plugin (packages/kafka): it joins the group once
 * Kafka answers and MongoDB is ready (the app serves /readyz before that), restarts with backoff,
 * and on close stops consuming first — registered after mongo and kafka, it is closed before
 * them, so an in-flight batch is abandoned uncommitted, never half-committed.
 */
export function consumerPlugin (opts: ConsumerPluginOptions) {
  return eventConsumerPlugin({
    name: 'archive-consumer',
    topic: opts.topic,
    groupId: opts.groupId,
    dependencies: ['archive'],
    consumer: { sessionTimeoutMs: opts.sessionTimeoutMs, partitionsConsumedConcurrently: opts.partitionConcurrency, maxBytesPerPartition: opts.fetchPartitionBytes },
    restart: { initialMs: 2000, maxMs: 10_000 },
    // Nothing is consumed before the archive can be written (MongoDB may be down at start).
    ready: (app) => app.mongo.ready,
    onAssignment: setAssignment,
    handler: (app) => {
      const write = createGroupWriter((events) => writeArchive(app.archive.collections, events, { cache: app.archive.summaries, limit: app.archive.limit }), opts.chunkSize)
      return createBatchHandler({
        write,
        sendDeadLetters: async (records) => { await app.kafka.producer.send(opts.dlqTopic, records) },
        metrics: app.archive.metrics,
        log: app.log,
        chunkSize: opts.chunkSize,
        retry: opts.retry
      })
    }
  })
}

/**
 * Which rooms this member owns (the finalizer acts only on those). Cached summaries of a
 * partition that moved may go stale; the rev guard would catch that, clearing avoids the retry.
 */
function setAssignment (app: FastifyInstance, partitions: number[]) {
  const { assignment, summaries } = app.archive
  if (partitions.length !== assignment.size || partitions.some((p) => !assignment.has(p))) summaries.clear()
  assignment.clear()
  for (const p of partitions) assignment.add(p)
  if (partitions.length > 0) app.log.info({ partitions }, 'partitions assigned')
}
