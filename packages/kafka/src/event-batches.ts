import { type EventType, parseEvent, type WatchEvent } from '@watch-together/protocol'
import { deadLetterRecord, PermanentEventError } from './dead-letter.js'
import type { BatchHandler, IncomingRecord, OutgoingRecord } from './types.js'

/** A handler for one event type: its event comes typed. Must be idempotent (a record may come again). */
export type EventHandlerMap = { [T in EventType]?: (event: Extract<WatchEvent, { type: T }>, record: IncomingRecord) => Promise<void> }

export interface EventHandlers {
  /** Handlers by event type; types without one (and types this build does not know) are skipped. */
  handlers: EventHandlerMap
  /** Where records that fail their schema, or whose handler throws PermanentEventError, go. */
  deadLetter (record: OutgoingRecord): Promise<void>
  /** Names the consumer in the dead letter's `dlq-service` header. */
  service: string
  log: { warn (obj: object, msg: string): void }
  /** Backoff of a failing handler (an outage: retried until it works or the batch is given up). */
  retry?: { initialMs: number, maxMs: number }
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
  return async (batch, control) => {
    let done: string | undefined
    try {
      for (const record of batch.records) {
        if (!control.isRunning() || control.isStale()) break
        const parsed = parseEvent(record.value)
        if (!parsed.success) {
          await dead(record, parsed.error.message)
        } else if (parsed.event) {
          const handler = opts.handlers[parsed.event.type] as ((e: WatchEvent, r: IncomingRecord) => Promise<void>) | undefined
          for (let delay = initialMs, handled = handler === undefined; !handled;) {
            try {
              await handler?.(parsed.event, record)
              handled = true
            } catch (err) {
              if (err instanceof PermanentEventError) { await dead(record, err.message); handled = true; continue }
              if (!control.isRunning() || control.isStale()) return
              opts.log.warn({ err, partition: record.partition, offset: record.offset, delayMs: delay }, 'event handler failed; retrying')
              await sleep(delay)
              await control.heartbeat().catch(() => {})
              delay = Math.min(delay * 2, maxMs)
            }
          }
        }
        done = record.offset
      }
    } finally {
      if (done !== undefined) await control.commit(done)
    }
  }
}
