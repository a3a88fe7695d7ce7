import { type EventType, parseEvent, type WatchEvent } from '@watch-together/protocol'
import { deadLetterRecord, PermanentEventError } from './dead-letter.js'
import { traceFrom, withTrace } from '@watch-together/service-kit'
import type { BatchControl, BatchHandler, IncomingRecord, OutgoingRecord } from './types.js'

/** A handler for one event type: its event comes typed. Must be idempotent (a record may come again). */
export type EventHandlerMap = { [T in EventType]?: (event: Extract<WatchEvent, { type: T }>, record: IncomingRecord) => Promise<void> }

export interface EventHandlers {
  /** Handlers by event type; types without one (and types this build does not know) are skipped. */
  handlers: EventHandlerMap
  /** Where records that fail their schema, or whose handler throws PermanentEventError, go. */
  deadLetter (record: OutgoingRecord): Promise<void>
  /** Names the consumer in the dead letter's `dlq-service` header. */
  service: string
  log: { warn (obj: object, msg: string): void, debug (obj: object, msg: string): void }
  /** Reports a handler's failure (Sentry when configured: app.reportError). */
  report? (err: Error, tags: Record<string, string>): void
  /** Backoff of a failing handler (an outage: retried until it works or the batch is given up). */
  retry?: { initialMs: number, maxMs: number }
  /**
   * A batch that applied nothing (every record another consumer's business) is committed only when
   * the partition's last commit is this old (default 0: every batch), or when it ends at the partition's
   * high watermark. Such records are skipped again
   * after a restart, so a later commit loses nothing; a consumer of a busy shared topic that acts on
   * few of its events saves a commit per batch (realtime: most of the topic is its own events).
   */
  idleCommitMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The batch loop every event consumer shares: parse each record, hand it to its type's handler,
 * stop early when the consumer stops or the partition is revoked, and commit what was handled.
 * A failing handler is retried in place with backoff (an outage must not skip events), unless it
 * throws PermanentEventError: then the record is dead-lettered and the partition moves on. A
 * record that fails its schema is dead-lettered at once.
 */
export function eventBatchHandler (opts: EventHandlers): BatchHandler {
  const { initialMs, maxMs } = opts.retry ?? { initialMs: 200, maxMs: 5000 }
  const dead = async (record: IncomingRecord, reason: string) => {
    opts.log.warn({ partition: record.partition, offset: record.offset, reason }, 'dead-lettering an event')
    await opts.deadLetter(deadLetterRecord(record, reason, opts.service))
  }
  type Handler = (e: WatchEvent, r: IncomingRecord) => Promise<void>

  /** Applies one event, retrying in place; false when the consumer stopped before it could. */
  async function apply (record: IncomingRecord, event: WatchEvent, handler: Handler, control: BatchControl): Promise<boolean> {
    for (let delay = initialMs; ;) {
      try {
        await handler(event, record)
        opts.log.debug({ type: event.type, eventId: event.id, partition: record.partition, offset: record.offset }, 'event applied')
        return true
      } catch (err) {
        opts.report?.(err as Error, { where: 'event handler', type: event.type })
        if (err instanceof PermanentEventError) { await dead(record, err.message); return true }
        if (!control.isRunning() || control.isStale()) return false
        opts.log.warn({ err, partition: record.partition, offset: record.offset, delayMs: delay }, 'event handler failed; retrying')
        await sleep(delay)
        await control.heartbeat().catch(() => {})
        // A rebalance waits for this member: give the partition up rather than hold the group.
        if (!control.isRunning() || control.isStale()) return false
        delay = Math.min(delay * 2, maxMs)
      }
    }
  }

  const lastCommit = new Map<string, number>()
  return async (batch, control) => {
    let done: string | undefined
    let acted = false
    try {
      for (const record of batch.records) {
        if (!control.isRunning() || control.isStale()) break
        // A type named in the producer's header without a handler is skipped before it is decoded
        // (JSON and schema): on a shared topic most records are someone else's.
        const named = record.headers['event-type']
        if (named !== undefined && !(named in opts.handlers)) { done = record.offset; continue }
        acted = true
        const parsed = parseEvent(record.value)
        if (!parsed.success) {
          await dead(record, parsed.error.message)
        } else if (parsed.event) {
          const handler = opts.handlers[parsed.event.type] as Handler | undefined
          const event = parsed.event
          // The handling runs in the producer's trace (the traceparent header): its log lines carry the id.
          if (handler) {
            const trace = traceFrom(record.headers.traceparent, `consume ${event.type}`, { 'watch_together.service': opts.service })
            const applied = await withTrace(trace, () => apply(record, event, handler, control))
            trace.end()
            if (!applied) break
          }
        }
        done = record.offset
      }
    } finally {
      const key = `${batch.topic}:${batch.partition}`
      const now = Date.now()
      // An idle batch at the partition's end commits at once: no later batch may come to carry its
      // offset, and a group left behind by a few skipped records would read as lag for ever.
      const atEnd = done !== undefined && BigInt(done) + 1n >= BigInt(batch.highWatermark)
      if (done !== undefined && (acted || atEnd || now - (lastCommit.get(key) ?? 0) >= (opts.idleCommitMs ?? 0))) {
        await control.commit(done)
        lastCommit.set(key, now)
      }
    }
  }
}
