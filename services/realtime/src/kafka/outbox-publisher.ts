import { randomUUID } from 'node:crypto'
import { createDrainLoop, eventRecord, partitionCounter, sendByPartition } from '@watch-together/kafka'
import { type EventEnvelope, eventKey } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { createOutboxMetrics } from '../metrics.js'
import { globalKeys } from '../rooms/keys.js'
import { scriptRunner } from '../rooms/scripts.js'

/** Takes or renews the publisher lease: one instance at a time drains the outbox, so order holds. */
const LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`
const LEASE_MS = 30_000

/**
 * Drains the Redis outbox (every room event, in emit order) to Kafka in batches. Events are
 * deleted from the outbox only after Kafka acknowledged them, so an outage delays them and
 * loses none; rooms never wait on Kafka. Delivery is at least once: consumers dedupe by event id.
 */
async function outbox (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  const keys = globalKeys(config.REDIS_PREFIX)
  const lease = scriptRunner(app.redis, LEASE_SCRIPT)
  const holder = randomUUID()
  const partitionCount = partitionCounter(app.kafka.admin, config.KAFKA_TOPIC)
  const metrics = createOutboxMetrics(app.metrics, () => app.redis.xLen(keys.outbox))
  const takeLease = async () => Boolean(await lease([keys.outboxLock], [holder, String(LEASE_MS)]))

  /** One pass: sends up to a batch in outbox order; returns how many were read. Throws when Kafka refuses. */
  async function drainOnce () {
    const entries = await app.redis.xRange(keys.outbox, '-', '+', { COUNT: config.OUTBOX_BATCH_SIZE }) ?? []
    if (entries.length === 0) return 0
    const records = entries.map((entry) => {
      // The emit script wrote these from envelopes built in room-log.ts: only the key and headers are read
      // back (a full schema parse of every event cost more CPU than the rest of publishing).
      const value = String(entry.message.e)
      const event = JSON.parse(value) as EventEnvelope
      const headers = eventRecord({ ...event, payload: {} }).headers ?? {}
      // The trace of the act that made the event (a websocket frame), for every consumer's logs.
      if (entry.message.t) headers.traceparent = String(entry.message.t)
      return { id: entry.id, key: eventKey(event), record: { key: eventKey(event), value, headers } }
    })
    const { sent, failure } = await sendByPartition(app.kafka.producer, config.KAFKA_TOPIC, await partitionCount(), records)
    if (sent.length > 0) await app.redis.xDel(keys.outbox, sent)
    metrics.kafkaPublished.inc(sent.length)
    if (failure) throw failure
    return entries.length
  }

  // One instance at a time drains (the lease), so the outbox's order is Kafka's order.
  const loop = createDrainLoop({
    pass: async () => await takeLease() ? await drainOnce() : 0,
    isConnected: () => app.kafka.isConnected(),
    pollMs: 50,
    batchSize: config.OUTBOX_BATCH_SIZE,
    log: app.log,
    name: 'realtime'
  })

  app.addHook('onReady', async () => { loop.start() })
  app.addHook('onClose', async () => {
    await loop.stop()
    // A last flush of what the closing sockets just emitted; whatever fails stays in the outbox.
    if (app.kafka.isConnected() && await takeLease().catch(() => false)) {
      try {
        while (await drainOnce() > 0);
      } catch (err) {
        app.log.warn({ err }, 'final outbox flush failed; the next instance publishes the rest')
      }
    }
    await app.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      { keys: [keys.outboxLock], arguments: [holder] }).catch(() => {})
  })
}

export const outboxPlugin = fp(outbox, { name: 'realtime-outbox', dependencies: ['redis', 'watch-together-kafka'] })
