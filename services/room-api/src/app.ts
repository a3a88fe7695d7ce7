import { kafkaPlugin } from '@watch-together/kafka'
import { basicsPlugin, loggerOptions } from '@watch-together/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { postgresPlugin } from './plugins/postgres.js'

export const SERVICE = 'room-api'

/** Builds the room-api app; never listens (server.ts does), so tests build it and use inject. */
export async function buildApp (config: Config): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(SERVICE, config.LOG_LEVEL), trustProxy: true })
  // Registered in dependency order, so onClose hooks close them in reverse.
  await app.register(basicsPlugin, { service: SERVICE, sentryDsn: config.SENTRY_DSN })
  await app.register(postgresPlugin, { connectionString: config.DATABASE_URL, max: config.PG_POOL_MAX })
  await app.register(kafkaPlugin, {
    brokers: config.KAFKA_BROKERS,
    clientId: SERVICE,
    topics: [{ topic: config.KAFKA_TOPIC, partitions: 12 }]
  })
  return app
}
