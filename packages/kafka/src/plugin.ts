import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
// Brings in the FastifyInstance.readiness declaration from the basics plugin.
import type {} from '@watch-together/service-kit'
import { createAdmin, type Admin } from './admin.js'
import { createProducer, type Producer } from './producer.js'
import type { KafkaSettings, TopicSpec } from './types.js'

declare module 'fastify' {
  interface FastifyInstance {
    kafka: {
      admin: Admin
      producer: Producer
      settings: KafkaSettings
      /** True once the admin and producer have connected (and topics exist). */
      isConnected (): boolean
      /** Resolves when connected; rejects if the app closes first. */
      connected: Promise<void>
    }
  }
}

export interface KafkaPluginOptions {
  brokers: string[]
  clientId: string
  /** Topics this service needs; created at connect if missing. */
  topics?: TopicSpec[]
  compress?: boolean
  /**
   * If Kafka is unreachable at start: false (default) keeps starting and connects in the
   * background with backoff, /readyz reporting kafka not ready meanwhile; true fails start-up.
   */
  requiredAtStart?: boolean
  /**
   * Whether a Kafka outage makes /readyz answer 503. False for services that hold their events
   * through an outage (room-api's outbox, realtime's backlog): they report it but stay ready.
   */
  critical?: boolean
}

/**
 * One Kafka admin and one producer per process, closed (flushed) in onClose. A service
 * starts even while Kafka is down, because rooms must keep working through an outage;
 * whoever sends must hold what it could not send (room-api's outbox, realtime's backlog).
 */
async function kafka (app: FastifyInstance, opts: KafkaPluginOptions) {
  const settings: KafkaSettings = { brokers: opts.brokers, clientId: opts.clientId, logger: app.log, retries: 3 }
  const admin = createAdmin(settings)
  const producer = createProducer(settings, { compress: opts.compress ?? false })
  let connected = false
  let closing = false
  let retryTimer: NodeJS.Timeout | undefined

  async function connectOnce () {
    await admin.connect()
    if (opts.topics?.length) await admin.ensureTopics(opts.topics)
    await producer.connect()
    connected = true
  }

  let resolveConnected: () => void = () => {}
  let rejectConnected: (err: Error) => void = () => {}
  const connectedPromise = new Promise<void>((resolve, reject) => { resolveConnected = resolve; rejectConnected = reject })
  connectedPromise.catch(() => {}) // nobody may be waiting when the app closes first

  try {
    await connectOnce()
    resolveConnected()
  } catch (err) {
    const message = `Kafka (${opts.brokers.join(',')}) unreachable: ${(err as Error).message}`
    if (opts.requiredAtStart) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()])
      throw new Error(message, { cause: err })
    }
    app.log.warn(message + '; retrying in the background')
    let attempt = 0
    const retry = () => {
      retryTimer = setTimeout(() => {
        connectOnce().then(() => {
          app.log.info('Kafka connected')
          resolveConnected()
        }, (retryErr: Error) => {
          if (closing) return
          app.log.warn({ err: retryErr }, 'Kafka still unreachable')
          attempt++
          retry()
        })
      }, Math.min(500 * 2 ** attempt, 10_000))
    }
    retry()
  }

  app.decorate('kafka', { admin, producer, settings, isConnected: () => connected, connected: connectedPromise })
  app.readiness.add('kafka', () => admin.ping(), { critical: opts.critical ?? true })
  app.addHook('onClose', async () => {
    closing = true
    clearTimeout(retryTimer)
    rejectConnected(new Error('closing'))
    await producer.disconnect()
    await admin.disconnect()
  })
}

export const kafkaPlugin = fp(kafka, { name: 'watch-together-kafka', dependencies: ['watch-together-basics'] })
