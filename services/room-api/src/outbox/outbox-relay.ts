import { type EventEnvelope, eventKey } from '@watch-together/protocol'
import { groupByPartition, type Producer } from '@watch-together/kafka'
import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import { outboxRecord } from './room-events.js'

export interface RelayOptions {
  pool: pg.Pool
  producer: Producer
  topic: string
  /** The topic's partition count (cached by the caller); events are grouped by partition. */
  partitionCount: () => Promise<number>
  /** Whether the Kafka producer is connected; the relay waits while it is not. */
  isConnected: () => boolean
  /** Serializes relays sharing one outbox (replicas, per-schema in tests). */
  lockKey: string
  pollMs: number
  batchSize: number
  log: FastifyBaseLogger
}

/**
 * Publishes outbox rows to Kafka in id order (per room, or per user for user-scoped events, that
 * is seq order: a change holds its room's or user's row lock until commit) and deletes them in the same transaction. Only one
 * relay per outbox runs a batch at a time (a transaction-scoped advisory lock), so replicas
 * never interleave one room's events. A partition whose send fails stays in the outbox and is retried with
 * backoff, with its later events behind it: in order, at least once. A duplicate remains possible
 * only if PostgreSQL fails between a publish and its delete (consumers dedupe by event id).
 */
export function createOutboxRelay (opts: RelayOptions) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  let failures = 0
  let again = false

  async function relayBatch (): Promise<number> {
    const client = await opts.pool.connect()
    let broken = false
    let failure: PromiseRejectedResult | undefined
    let relayed = 0
    try {
      await client.query('BEGIN')
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [opts.lockKey])
      if (!lock.rows[0]?.ok) { await client.query('COMMIT'); return 0 }
      const { rows } = await client.query<{ id: string, envelope: EventEnvelope }>(
        'SELECT id, envelope FROM outbox ORDER BY id LIMIT $1', [opts.batchSize])
      // One send per partition: a send then touches a single partition, so it lands whole or not
      // at all. (A multi-partition request that fails on one partition is retried whole by the
      // client, duplicating the partitions that had succeeded.) A room's events share a partition,
      // and so do a user's (key `user:<id>`, the key eventRecord gives them).
      const partitions = await opts.partitionCount()
      const byPartition = groupByPartition(rows.map((row) => ({ ...row, key: eventKey(row.envelope) })), partitions)
      const results = await Promise.allSettled(byPartition.map(async (partRows) => {
        await opts.producer.send(opts.topic, partRows.map((r) => outboxRecord(r.envelope)))
        return partRows.map((r) => r.id)
      }))
      const sent = results.flatMap((r) => r.status === 'fulfilled' ? r.value : [])
      // Remove what was published even when other rooms failed, so a retry never repeats it.
      if (sent.length > 0) await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [sent])
      await client.query('COMMIT')
      failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      relayed = rows.length
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true })
      throw err
    } finally {
      client.release(broken)
    }
    if (failure) throw failure.reason
    return relayed
  }

  async function tick () {
    timer = undefined
    again = false
    let delay = opts.pollMs
    if (opts.isConnected()) {
      try {
        const sent = await relayBatch()
        if (failures > 0) opts.log.info({ failures }, 'outbox relay recovered')
        failures = 0
        if (sent === opts.batchSize) delay = 0
      } catch (err) {
        failures++
        delay = Math.min(opts.pollMs * 2 ** failures, 5000)
        opts.log.warn({ err, failures }, 'outbox relay failed; retrying')
      }
    }
    if (again && failures === 0) delay = 0
    schedule(delay)
  }

  function schedule (delay: number) {
    if (stopped || timer) return
    timer = setTimeout(() => { running = tick().finally(() => { running = undefined }) }, delay)
  }

  return {
    start () { schedule(0) },
    /** Called after a commit that wrote events: relay soon instead of at the next poll. */
    nudge () {
      if (stopped) return
      if (running) { again = true; return }
      if (timer && failures === 0) { clearTimeout(timer); timer = undefined; schedule(0) }
    },
    async stop () {
      stopped = true
      clearTimeout(timer)
      await running
    }
  }
}
