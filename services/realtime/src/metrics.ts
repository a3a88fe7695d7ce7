import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The realtime metrics, registered on the app's own registry (app.metrics). */
export function createRealtimeMetrics (registry: Registry) {
  return {
    connections: new Gauge({ name: 'realtime_connections', help: 'Open websocket connections on this instance', labelNames: ['protocol'], registers: [registry] }),
    rooms: new Gauge({ name: 'realtime_rooms', help: 'Rooms with at least one connection on this instance', registers: [registry] }),
    framesIn: new Counter({ name: 'realtime_frames_in_total', help: 'Frames received', labelNames: ['type'], registers: [registry] }),
    framesOut: new Counter({ name: 'realtime_frames_out_total', help: 'Frames sent', registers: [registry] }),
    frameErrors: new Counter({ name: 'realtime_frame_errors_total', help: 'Frames answered with an error', labelNames: ['code'], registers: [registry] }),
    fanoutSeconds: new Histogram({
      name: 'realtime_fanout_seconds',
      help: 'From an event being accepted to its delivery to this instance\'s sockets',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry]
    }),
    subscriptionsRepaired: new Counter({
      name: 'realtime_subscriptions_repaired_total',
      help: 'Room subscriptions found silent by a probe (lost on a Redis reconnect) and made again',
      registers: [registry]
    })
  }
}
export type RealtimeMetrics = ReturnType<typeof createRealtimeMetrics>

declare module 'fastify' {
  interface FastifyInstance {
    realtimeMetrics: RealtimeMetrics
  }
}

export const realtimeMetricsPlugin = fp(async (app: FastifyInstance) => {
  app.decorate('realtimeMetrics', createRealtimeMetrics(app.metrics))
}, { name: 'realtime-metrics', dependencies: ['watch-together-basics'] })

/** The outbox publisher's metrics (its own plugin registers them; it starts before the realtime core). */
export function createOutboxMetrics (registry: Registry, backlogSize: () => Promise<number>) {
  return {
    kafkaPublished: new Counter({ name: 'realtime_kafka_published_total', help: 'Events delivered to Kafka', registers: [registry] }),
    backlog: new Gauge({
      name: 'realtime_kafka_backlog',
      help: 'Events held in the Redis outbox streams waiting for Kafka',
      registers: [registry],
      async collect () { this.set(await backlogSize().catch(() => -1)) }
    })
  }
}
