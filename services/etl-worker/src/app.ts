import { kafkaPlugin } from '@watch-together/kafka'
import { basicsPlugin, loggerOptions } from '@watch-together/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import { archiveCollections } from './archive/collections.js'
import { ensureIndexes } from './archive/indexes.js'
import type { Config } from './config.js'
import { archivePlugin } from './plugins/archive.js'
import { consumerPlugin } from './plugins/consumer.js'
import { finalizerPlugin } from './plugins/finalizer.js'
import { mongoPlugin } from './plugins/mongo.js'

export const SERVICE = 'etl-worker'

/**
 * Builds the worker's app: over HTTP it serves only health, readiness and metrics. Plugins are
 * registered in dependency order, so on close the consumer stops before Kafka and MongoDB close.
 */
export async function buildApp (config: Config): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(SERVICE, config.LOG_LEVEL) })
  await app.register(basicsPlugin, { service: SERVICE, sentryDsn: config.SENTRY_DSN, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
  await app.register(mongoPlugin, {
    url: config.MONGO_URL,
    database: config.MONGO_DB,
    retry: { initialMs: config.ETL_RETRY_INITIAL_MS, maxMs: config.ETL_RETRY_MAX_MS },
    prepare: (db) => ensureIndexes(archiveCollections(db))
  })
  await app.register(kafkaPlugin, {
    brokers: config.KAFKA_BROKERS,
    clientId: SERVICE,
    topics: [{ topic: config.KAFKA_TOPIC, partitions: config.KAFKA_TOPIC_PARTITIONS }, { topic: config.KAFKA_DLQ_TOPIC, partitions: 3 }]
  })
  await app.register(archivePlugin, { topic: config.KAFKA_TOPIC, groupId: config.KAFKA_GROUP_ID, writeConcurrency: config.ETL_WRITE_CONCURRENCY, writeTimeoutMs: config.ETL_WRITE_TIMEOUT_MS })
  if (config.ETL_CONSUME) {
    await app.register(consumerPlugin({
      topic: config.KAFKA_TOPIC,
      dlqTopic: config.KAFKA_DLQ_TOPIC,
      groupId: config.KAFKA_GROUP_ID,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      partitionConcurrency: config.ETL_PARTITION_CONCURRENCY,
      fetchPartitionBytes: config.ETL_FETCH_PARTITION_BYTES,
      chunkSize: config.ETL_CHUNK_SIZE,
      retry: { initialMs: config.ETL_RETRY_INITIAL_MS, maxMs: config.ETL_RETRY_MAX_MS }
    }))
    await app.register(finalizerPlugin, { topic: config.KAFKA_TOPIC, idleMs: config.ETL_ROOM_IDLE_MS, intervalMs: config.ETL_FINALIZE_INTERVAL_MS })
  }
  return app
}
