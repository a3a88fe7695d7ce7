import websocket from '@fastify/websocket'
import { kafkaPlugin } from '@watch-together/kafka'
import { basicsPlugin, loggerOptions } from '@watch-together/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { redisPlugin } from './plugins/redis.js'

export const SERVICE = 'realtime'

/** Builds the realtime app; never listens (server.ts does), so tests build it and use inject/injectWS. */
export async function buildApp (config: Config): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(SERVICE, config.LOG_LEVEL), trustProxy: true })
  await app.register(basicsPlugin, { service: SERVICE, sentryDsn: config.SENTRY_DSN })
  await app.register(redisPlugin, { url: config.REDIS_URL })
  await app.register(kafkaPlugin, {
    brokers: config.KAFKA_BROKERS,
    clientId: SERVICE,
    topics: [{ topic: config.KAFKA_TOPIC, partitions: 12 }],
    compress: true
  })
  // permessage-deflate stays off: ws's own advice, it costs much CPU and memory per socket.
  await app.register(websocket, { options: { maxPayload: config.WS_MAX_FRAME_BYTES, perMessageDeflate: false } })
  return app
}
