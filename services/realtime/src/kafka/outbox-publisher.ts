import { randomUUID } from 'node:crypto'
import { eventRecord, groupByPartition, partitionCounter } from '@watch-together/kafka'
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
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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
  const control = { stopping: false }
  let loop: Promise<void> | undefined
  const partitionCount = partitionCounter(app.kafka.admin, config.KAFKA_TOPIC)
  const metrics = createOutboxMetrics(app.metrics, () => app.redis.xLen(keys.outbox))

  /** One pass: sends up to a batch; returns how many were sent. Throws when Kafka refuses. */
  async function drainOnce () {
    const entries = await app.redis.xRange(keys.outbox, '-', '+', { COUNT: config.OUTBOX_BATCH_SIZE }) ?? []
    if (entries.length === 0) return 0
    const records = []
    for (const entry of entries) {
      // The emit script wrote these from envelopes built in room-log.ts: only the key and headers are read
      // back (a full schema parse of every event cost more CPU than the rest of publishing).
      const value = String(entry.message.e)
      const event = JSON.parse(value) as EventEnvelope
      const headers = eventRecord({ ...event, payload: {} }).headers ?? {}
      // The trace of the act that made the event (a websocket frame), for every consumer's logs.
      if (entry.message.t) headers.traceparent = String(entry.message.t)
      records.push({ id: entry.id, key: eventKey(event), value, headers })
    }
    // One send per partition, so each lands whole or not at all (kafkajs retries a multi-partition
    // request whole when one partition fails, duplicating the others). A room's events share a
    // partition, so a failed group keeps them in order at the head of the outbox for the next pass.
    const groups = groupByPartition(records, await partitionCount())
    const results = await Promise.allSettled(groups.map(async (group) => {
      await app.kafka.producer.send(config.KAFKA_TOPIC, group.map(({ key, value, headers }) => ({ key, value, headers })))
      return group.map((r) => r.id)
    }))
    const sent = results.flatMap((r) => r.status === 'fulfilled' ? r.value : [])
    if (sent.length > 0) await app.redis.xDel(keys.outbox, sent)
    metrics.kafkaPublished.inc(sent.length)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
    return entries.length
  }

  async function run () {
    let backoff = 200
    while (!control.stopping) {
      try {
        if (!app.kafka.isConnected() || !await lease([keys.outboxLock], [holder, String(LEASE_MS)])) {
          await sleep(500)
          continue
        }
        const sent = await drainOnce()
        backoff = 200
        if (sent === 0) await sleep(50)
      } catch (err) {
        if (control.stopping) break
        app.log.warn({ err }, `Kafka publish failed; events stay in the outbox, retrying in ${backoff} ms`)
        await sleep(backoff)
        backoff = Math.min(backoff * 2, 5000)
      }
    }
  }

  app.addHook('onReady', async () => { loop = run() })
  app.addHook('onClose', async () => {
    control.stopping = true
    await loop
    // A last flush of what the closing sockets just emitted; whatever fails stays in the outbox.
    if (app.kafka.isConnected() && await lease([keys.outboxLock], [holder, String(LEASE_MS)]).catch(() => 0)) {
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
