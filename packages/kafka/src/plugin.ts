import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
// Brings in the FastifyInstance.readiness declaration from the basics plugin.
import type {} from '@watch-together/service-kit'
import { createAdmin, type Admin } from './admin.js'
import { createProducer, type Producer } from './producer.js'
import type { KafkaSettings, TopicSpec } from './types.js'

declare module 'fastify' {
  interface FastifyInstance {
    kafka: { admin: Admin, producer: Producer, settings: KafkaSettings }
  }
}

export interface KafkaPluginOptions {
  brokers: string[]
  clientId: string
  /** Topics this service needs; created at start if missing. */
  topics?: TopicSpec[]
  compress?: boolean
}

/** One Kafka admin and one producer per process; opened at start, closed (flushed) in onClose. */
async function kafka (app: FastifyInstance, opts: KafkaPluginOptions) {
  const settings: KafkaSettings = { brokers: opts.brokers, clientId: opts.clientId, logger: app.log }
  const admin = createAdmin(settings)
  const producer = createProducer(settings, { compress: opts.compress ?? false })
  try {
    await admin.connect()
    if (opts.topics?.length) await admin.ensureTopics(opts.topics)
    await producer.connect()
  } catch (err) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()])
    throw new Error(`Kafka (${opts.brokers.join(',')}) unreachable: ${(err as Error).message}`, { cause: err })
  }
  app.decorate('kafka', { admin, producer, settings })
  app.readiness.add('kafka', () => admin.ping())
  app.addHook('onClose', async () => {
    await producer.disconnect()
    await admin.disconnect()
  })
}

export const kafkaPlugin = fp(kafka, { name: 'watch-together-kafka', dependencies: ['watch-together-basics'] })
