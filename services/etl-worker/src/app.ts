import { kafkaPlugin } from '@watch-together/kafka'
import { basicsPlugin, loggerOptions } from '@watch-together/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { mongoPlugin } from './plugins/mongo.js'

export const SERVICE = 'etl-worker'

/** Builds the worker's app: over HTTP it serves only health, readiness and metrics. */
export async function buildApp (config: Config): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(SERVICE, config.LOG_LEVEL) })
  await app.register(basicsPlugin, { service: SERVICE, sentryDsn: config.SENTRY_DSN })
  await app.register(mongoPlugin, { url: config.MONGO_URL, database: config.MONGO_DB })
  await app.register(kafkaPlugin, {
    brokers: config.KAFKA_BROKERS,
    clientId: SERVICE,
    topics: [{ topic: config.KAFKA_TOPIC, partitions: 12 }, { topic: config.KAFKA_DLQ_TOPIC, partitions: 3 }]
  })
  return app
}
