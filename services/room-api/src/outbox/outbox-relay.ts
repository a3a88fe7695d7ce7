import { type EventEnvelope } from '@watch-together/protocol'
import { eventRecord, type Producer } from '@watch-together/kafka'
import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'

export interface RelayOptions {
  pool: pg.Pool
  producer: Producer
  topic: string
  /** Whether the Kafka producer is connected; the relay waits while it is not. */
  isConnected: () => boolean
  /** Serializes relays sharing one outbox (replicas, per-schema in tests). */
  lockKey: string
  pollMs: number
  batchSize: number
  log: FastifyBaseLogger
}

/**
 * Publishes outbox rows to Kafka in id order (per room that is seq order: a room's changes
 * hold its row lock until commit) and marks them sent in the same transaction. Only one
 * relay per outbox runs a batch at a time (a transaction-scoped advisory lock), so replicas
 * never interleave one room's events. If Kafka or PostgreSQL fails, the transaction rolls back,
 * nothing is marked, and the batch is retried with backoff: at least once, in order.
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
    try {
      await client.query('BEGIN')
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [opts.lockKey])
      if (!lock.rows[0]?.ok) { await client.query('COMMIT'); return 0 }
      const { rows } = await client.query<{ id: string, envelope: EventEnvelope }>(
        'SELECT id, envelope FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1', [opts.batchSize])
      if (rows.length > 0) {
        await opts.producer.send(opts.topic, rows.map((r) => eventRecord(r.envelope)))
        await client.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)])
      }
      await client.query('COMMIT')
      return rows.length
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true })
      throw err
    } finally {
      client.release(broken)
    }
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
