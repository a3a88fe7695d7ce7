import websocket from '@fastify/websocket'
import { CLOSE_CODES } from '@watch-together/protocol'
import { kafkaPlugin } from '@watch-together/kafka'
import { basicsPlugin, loggerOptions } from '@watch-together/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import { WebSocket } from 'ws'
import type { Config } from './config.js'
import { lifecyclePlugin } from './kafka/lifecycle-consumer.js'
import { outboxPlugin } from './kafka/outbox-publisher.js'
import { userSocketRoutes } from './routes/user-socket.js'
import { legacySocketRoutes } from './legacy/legacy-socket.js'
import { realtimeCorePlugin } from './plugins/realtime-core.js'
import { redisPlugin } from './plugins/redis.js'
import { adminRoutes } from './routes/admin.js'
import { roomSocketRoutes } from './routes/room-socket.js'

export const SERVICE = 'realtime'

export interface BuildOptions {
  /** Tests turn the lifecycle consumer off where they do not need it (it joins a consumer group). */
  consumeLifecycle?: boolean
}

/** Builds the realtime app; never listens (server.ts does), so tests build it and use inject/injectWS. */
export async function buildApp (config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(SERVICE, config.LOG_LEVEL), trustProxy: config.TRUST_PROXY })
  await app.register(basicsPlugin, { service: SERVICE, sentryDsn: config.SENTRY_DSN, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
  await app.register(redisPlugin, { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES })
  await app.register(kafkaPlugin, {
    brokers: config.KAFKA_BROKERS,
    clientId: SERVICE,
    topics: [{ topic: config.KAFKA_TOPIC, partitions: 12 }, ...(opts.consumeLifecycle ?? true ? [{ topic: config.KAFKA_DLQ_TOPIC, partitions: 3 }] : [])],
    compress: true,
    // Rooms keep working through a Kafka outage (events wait in the Redis outbox), so the
    // instance stays ready: /readyz reports Kafka without answering 503 for it.
    critical: false
  })
  // onClose hooks run in reverse: sockets close and write their last events (realtime), then the
  // outbox flushes them to Kafka, then the Kafka and Redis clients close.
  await app.register(outboxPlugin, { config })
  await app.register(realtimeCorePlugin, { config })
  if (opts.consumeLifecycle ?? true) await app.register(lifecyclePlugin(config))
  await app.register(websocket, {
    // permessage-deflate stays off: ws's own advice, it costs much CPU and memory per socket.
    options: { maxPayload: config.WS_MAX_FRAME_BYTES, perMessageDeflate: false },
    // Graceful shutdown: every socket is told the server is going away (1001).
    preClose (done) {
      for (const client of this.websocketServer.clients) client.close(CLOSE_CODES.goingAway, 'server shutting down')
      done()
    },
    // Protocol errors (e.g. an oversized frame) were already answered by ws with a close code (1009);
    // only sockets that are still open are cut.
    errorHandler (error, socket, request) {
      request.log.info({ err: error }, 'websocket error')
      if (socket.readyState === WebSocket.OPEN) socket.terminate()
    }
  })
  await app.register(roomSocketRoutes, { config })
  await app.register(legacySocketRoutes, { config })
  await app.register(userSocketRoutes, { config })
  await app.register(adminRoutes, { config })
  return app
}
