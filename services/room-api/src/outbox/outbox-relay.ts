import { eventKey } from '@watch-together/protocol'
import { createDrainLoop, type Producer, sendByPartition } from '@watch-together/kafka'
import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import { withTransaction } from '../db/transaction.js'
import { deleteEvents, oldestEvents, tryRelayLock } from './outbox-repository.js'
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
    const { read, failure } = await withTransaction(opts.pool, async (db) => {
      if (!await tryRelayLock(db, opts.lockKey)) return { read: 0, failure: undefined }
      const rows = await oldestEvents(db, opts.batchSize)
      // A room's events share a partition, and so do a user's (key `user:<id>`).
      const entries = rows.map((row) => ({ id: row.id, key: eventKey(row.envelope), record: outboxRecord(row.envelope) }))
      const result = await sendByPartition(opts.producer, opts.topic, await opts.partitionCount(), entries)
      // Remove what was published even when other partitions failed, so a retry never repeats it.
      if (result.sent.length > 0) await deleteEvents(db, result.sent)
      return { read: rows.length, failure: result.failure }
    })
    // Thrown after the commit: the deletes of what was sent stand, the drain loop backs off.
    if (failure) throw failure
    return read
  }

  return createDrainLoop({ pass, isConnected: opts.isConnected, pollMs: opts.pollMs, batchSize: opts.batchSize, log: opts.log, name: 'room-api' })
}
