import { randomUUID } from 'node:crypto'
import { createDrainLoop, eventRecord, type OutboxEntry, partitionCounter, sendByPartition } from '@watch-together/kafka'
import { type EventEnvelope, eventKey } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { createOutboxMetrics } from '../metrics.js'
import { scriptRunner } from '../rooms/scripts.js'
import { createOutboxIndex } from './outbox-index.js'
import { createOutboxLeases } from './outbox-leases.js'

/**
 * A drained stream leaves its slot index, atomically with the check that it is empty (KEYS: the stream,
 * its slot index — one slot), so an event appended meanwhile keeps it listed.
 */
const DONE_SCRIPT = `
if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], KEYS[1])
return 1
`
/** Streams taken per bucket per pass. */
const STREAMS_PER_PASS = 64
/** Every slot index of a held bucket is read this often (and when the lease is taken): it finds streams whose hint was lost. */
const SWEEP_MS = 60_000

/** What outboxStatus() reports: the leases' and the drain loop's own status, and each bucket as Redis has it. */
export type OutboxStatus = ReturnType<ReturnType<typeof createOutboxLeases>['status']> & ReturnType<ReturnType<typeof createDrainLoop>['status']> & {
  buckets: Array<{ bucket: number, holder: string | null, hinted: number }>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Events in the outbox streams still waiting for Kafka (tests, drills, the backlog gauge). */
    outboxBacklog (): Promise<number>
    /** The outbox buckets this instance publishes now. */
    outboxBuckets (): number[]
    /** For diagnosis (tests, drills): this instance's leases and drain loop, and each bucket's lease holder and hinted streams in Redis. */
    outboxStatus (): Promise<OutboxStatus>
  }
}

/**
 * Drains the outbox to Kafka. Every event waits in a stream of its room (or person), listed in its
 * slot's index by the same atomic step that made it (outbox-index.ts); the slots are split into
 * buckets, each drained by the instance holding its lease, so a room's events reach Kafka in its seq
 * order and instances share the work. Events leave their stream only after Kafka acknowledged them,
 * so an outage (or a Redis failover) delays them and loses none; rooms never wait on Kafka. Delivery
 * is at least once: consumers dedupe by event id.
 */
async function outbox (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  const index = createOutboxIndex(app.redis, config.REDIS_PREFIX, config.OUTBOX_BUCKETS)
  // The registry is registered after this plugin (it is part of the realtime core): read when it exists.
  const leases = createOutboxLeases(app.redis, index, randomUUID(), app.log, async () => await app.instanceRegistry?.liveCount() ?? 1)
  const done = scriptRunner(app.redis, DONE_SCRIPT)
  const partitionCount = partitionCounter(app.kafka.admin, config.KAFKA_TOPIC)
  const swept = new Map<number, number>()
  const single = !app.redisTopology.cluster

  async function backlog () {
    const streams = (await Promise.all(Array.from({ length: index.buckets }, async (_, b) => await app.redis.sMembers(index.hintOf(b))))).flat()
    const lengths = await Promise.all(streams.map(async (stream) => await app.redis.xLen(stream)))
    return lengths.reduce((a, b) => a + b, 0)
  }
  const metrics = createOutboxMetrics(app.metrics, backlog)
  app.decorate('outboxBacklog', backlog)
  app.decorate('outboxBuckets', () => leases.held())

  /** Hints every stream listed in the bucket's slot indexes (after a crash between a step and its hint). */
  async function sweep (bucket: number) {
    const slots = index.slotsOf(bucket)
    for (let i = 0; i < slots.length; i += 512) {
      const keys = slots.slice(i, i + 512).map((slot) => index.slotIndex(slot))
      // One Redis holds every slot: one SUNION per 512 indexes. A cluster spreads them over its nodes,
      // so one SMEMBERS each (2,048 commands per bucket at 8 buckets: the sweep was most of an idle
      // instance's Redis work, and a burst when an instance takes its leases).
      const streams = single
        ? await app.redis.sUnion(keys)
        : (await Promise.all(keys.map(async (key) => await app.redis.sMembers(key)))).flat()
      if (streams.length > 0) await app.redis.sAdd(index.hintOf(bucket), streams)
    }
    swept.set(bucket, Date.now())
  }

  async function readStream (stream: string, count: number) {
    const entries = await app.redis.xRange(stream, '-', '+', { COUNT: count }) ?? []
    return entries.map((entry): OutboxEntry => {
      // The emit scripts wrote these from envelopes built in room-log.ts / legacy-socket.ts: only the key and
      // headers are read back (a full schema parse of every event cost more CPU than the rest of publishing).
      const value = String(entry.message.e)
      const event = JSON.parse(value) as EventEnvelope
      const headers = eventRecord({ ...event, payload: {} }).headers ?? {}
      // The trace of the act that made the event (a websocket frame), for every consumer's logs.
      if (entry.message.t) headers.traceparent = String(entry.message.t)
      return { id: `${stream}\u0000${entry.id}`, key: eventKey(event), record: { key: eventKey(event), value, headers } }
    })
  }

  /** A stream read whole and sent: unhinted first, then unlisted if still empty (else hinted again). */
  async function finish (bucket: number, stream: string) {
    await app.redis.sRem(index.hintOf(bucket), stream)
    if (!await done([stream, index.slotIndexOf(stream)], [])) await index.hint(stream)
  }

  /** One pass over the held buckets: returns how many events were read. Throws when Kafka refuses some. */
  async function drainOnce () {
    const buckets = await leases.current()
    const now = Date.now()
    // At most one bucket's sweep per pass (each reads 16,384 / OUTBOX_BUCKETS slot indexes): spread out, not at once.
    const due = buckets.find((bucket) => now - (swept.get(bucket) ?? 0) >= SWEEP_MS)
    if (due !== undefined) await sweep(due)
    const picked = await Promise.all(buckets.map(async (bucket) =>
      (await app.redis.sRandMemberCount(index.hintOf(bucket), STREAMS_PER_PASS)).map((stream) => ({ bucket, stream }))))
    const streams = picked.flat()
    if (streams.length === 0) return 0
    const perStream = Math.max(16, Math.ceil(config.OUTBOX_BATCH_SIZE / streams.length))
    const read = await Promise.all(streams.map(async ({ stream }) => await readStream(stream, perStream)))
    const entries = read.flat()
    // A stream's events share one key, so one partition: sent whole or not at all, in order.
    const { sent, failure } = entries.length > 0
      ? await sendByPartition(app.kafka.producer, config.KAFKA_TOPIC, await partitionCount(), entries)
      : { sent: [], failure: undefined }
    const sentSet = new Set(sent)
    await Promise.all(streams.map(async ({ bucket, stream }, i) => {
      const mine = read[i]!
      const acked = mine.filter((e) => sentSet.has(e.id)).map((e) => e.id.slice(stream.length + 1))
      if (acked.length > 0) await app.redis.xDel(stream, acked)
      if (acked.length === mine.length && mine.length < perStream) await finish(bucket, stream)
    }))
    metrics.kafkaPublished.inc(sent.length)
    if (failure) throw failure
    return entries.length
  }

  const loop = createDrainLoop({
    pass: drainOnce,
    isConnected: () => app.kafka.isConnected(),
    // A pass sends one request per partition: every 50 ms that was ~5 events per request at 1,000
    // events/s, each with its own acks=-1 round trip and gzip run on the event loop. Nothing waits on
    // Kafka for delivery (members get frames from Redis), so passes are spaced out for larger batches
    // (a full batch still goes again at once).
    pollMs: 250,
    batchSize: config.OUTBOX_BATCH_SIZE,
    log: app.log,
    name: 'realtime'
  })

  app.decorate('outboxStatus', async () => ({
    ...leases.status(),
    ...loop.status(),
    buckets: await Promise.all(Array.from({ length: index.buckets }, async (_, bucket) => {
      const [holder, hinted] = await Promise.all([app.redis.get(index.leaseOf(bucket)), app.redis.sCard(index.hintOf(bucket))])
      return { bucket, holder, hinted }
    }))
  }))

  app.addHook('onReady', async () => { loop.start() })
  app.addHook('onClose', async () => {
    await loop.stop()
    // A last flush of what the closing sockets just emitted; whatever fails stays for the next holder.
    if (app.kafka.isConnected()) {
      try {
        while (await drainOnce() > 0);
      } catch (err) {
        app.log.warn({ err }, 'final outbox flush failed; the next instance publishes the rest')
      }
    }
    await leases.releaseAll()
  })
}

export const outboxPlugin = fp(outbox, { name: 'realtime-outbox', dependencies: ['redis', 'watch-together-kafka'] })
