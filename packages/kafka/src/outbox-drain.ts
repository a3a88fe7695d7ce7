import { groupByPartition } from './partition.js'
import type { Producer } from './producer.js'
import type { OutgoingRecord } from './types.js'

/** One entry of an outbox: its id there, its Kafka key, and the record to send. */
export interface OutboxEntry { id: string, key: string, record: OutgoingRecord }

/**
 * Sends a batch read in outbox order with one send per partition, so each send lands whole or not
 * at all (kafkajs retries a multi-partition request whole when one partition fails, duplicating the
 * others). A key's entries share a partition, so a failed group keeps them in order for the next
 * pass. Returns the ids Kafka acknowledged (the caller removes them) and the first failure.
 */
export async function sendByPartition (producer: Producer, topic: string, partitions: number, entries: OutboxEntry[]): Promise<{ sent: string[], failure: unknown }> {
  const results = await Promise.allSettled(groupByPartition(entries, partitions).map(async (group) => {
    await producer.send(topic, group.map((e) => e.record))
    return group.map((e) => e.id)
  }))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  return { sent: results.flatMap((r) => r.status === 'fulfilled' ? r.value : []), failure: failed?.reason }
}

export interface DrainLoopOptions {
  /**
   * One pass: take the lease, read a batch in order, sendByPartition, remove what was sent, and
   * return how many entries were read (0 when the lease is another's or the outbox is empty).
   * Throws when Kafka refused part of it (the rest stays for the next pass).
   */
  pass (): Promise<number>
  /** Whether the producer is connected; the loop waits while it is not. */
  isConnected (): boolean
  pollMs: number
  batchSize: number
  log: { info (obj: object, msg: string): void, warn (obj: object, msg: string): void }
  name: string
}

/** A pass still running after this long is warned about (once per pass). */
const SLOW_PASS_MS = 30_000

/**
 * The one drain loop both outboxes use (room-api's PostgreSQL table, realtime's Redis stream): a
 * pass whenever there may be work — at once after a full batch or a nudge, else every pollMs — with
 * exponential backoff (to 5 s) while Kafka refuses, so an outage delays events and loses none.
 */
export function createDrainLoop (opts: DrainLoopOptions) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  let failures = 0
  let again = false
  let passStartedAt: number | undefined
  let lastPassEndedAt: number | undefined

  async function tick () {
    timer = undefined
    again = false
    let delay = opts.pollMs
    if (opts.isConnected()) {
      passStartedAt = Date.now()
      // Nothing else would tell: a pass that never settles stops this outbox for good, and silently.
      const slow = setTimeout(() => opts.log.warn({ outbox: opts.name, ms: SLOW_PASS_MS }, 'an outbox pass has not finished'), SLOW_PASS_MS)
      slow.unref()
      try {
        const read = await opts.pass()
        if (failures > 0) opts.log.info({ failures, outbox: opts.name }, 'outbox drain recovered')
        failures = 0
        if (read >= opts.batchSize) delay = 0
      } catch (err) {
        failures++
        delay = Math.min(opts.pollMs * 2 ** failures, 5000)
        opts.log.warn({ err, failures, outbox: opts.name }, 'Kafka publish failed; events stay in the outbox, retrying')
      } finally {
        clearTimeout(slow)
        passStartedAt = undefined
        lastPassEndedAt = Date.now()
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
    /** New events were written: drain soon instead of at the next poll. */
    nudge () {
      if (stopped) return
      if (running) { again = true; return }
      if (timer && failures === 0) { clearTimeout(timer); timer = undefined; schedule(0) }
    },
    /** For diagnosis: how long the pass in flight has run, when the last one ended, failures in a row. */
    status (now = Date.now()) {
      return { passRunningMs: passStartedAt === undefined ? null : now - passStartedAt, lastPassAgoMs: lastPassEndedAt === undefined ? null : now - lastPassEndedAt, failures, stopped }
    },
    /** Stops the loop after the pass in flight. */
    async stop () {
      stopped = true
      clearTimeout(timer)
      await running
    }
  }
}
