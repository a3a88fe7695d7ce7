import { type EventEnvelope, eventKey } from '@watch-together/protocol'
import { createDrainLoop, type Producer, sendByPartition } from '@watch-together/kafka'
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
  /** One pass: the advisory lock, a batch in id order, sent per partition, the sent rows deleted, in one transaction. */
  async function pass (): Promise<number> {
    const client = await opts.pool.connect()
    let broken = false
    let failure: unknown
    let read = 0
    try {
      await client.query('BEGIN')
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [opts.lockKey])
      if (!lock.rows[0]?.ok) { await client.query('COMMIT'); return 0 }
      const { rows } = await client.query<{ id: string, envelope: EventEnvelope }>(
        'SELECT id, envelope FROM outbox ORDER BY id LIMIT $1', [opts.batchSize])
      // A room's events share a partition, and so do a user's (key `user:<id>`).
      const entries = rows.map((row) => ({ id: row.id, key: eventKey(row.envelope), record: outboxRecord(row.envelope) }))
      const result = await sendByPartition(opts.producer, opts.topic, await opts.partitionCount(), entries)
      // Remove what was published even when other partitions failed, so a retry never repeats it.
      if (result.sent.length > 0) await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [result.sent])
      await client.query('COMMIT')
      failure = result.failure
      read = rows.length
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true })
      throw err
    } finally {
      client.release(broken)
    }
    if (failure) throw failure
    return read
  }

  return createDrainLoop({ pass, isConnected: opts.isConnected, pollMs: opts.pollMs, batchSize: opts.batchSize, log: opts.log, name: 'room-api' })
}
