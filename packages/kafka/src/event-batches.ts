import { parseEvent, type WatchEvent } from '@watch-together/protocol'
import type { BatchHandler, IncomingRecord } from './types.js'

export interface EventHandlers {
  /**
   * Applies one parsed event, its payload typed by its `type`; must be idempotent (a record may be
   * delivered again). Types this build does not know (a newer producer's) are skipped.
   */
  onEvent (event: WatchEvent, record: IncomingRecord): Promise<void>
  /** A record that fails its schema: skip it, log it or dead-letter it; it is committed afterwards. */
  onInvalid (record: IncomingRecord, error: Error): Promise<void> | void
}

/**
 * The batch loop every event consumer shares: parse each record, hand it on, stop early when the
 * consumer stops or the partition is revoked, and commit what was handled — also when a later
 * record throws, so only that one and its successors are delivered again.
 */
export function eventBatchHandler (handlers: EventHandlers): BatchHandler {
  return async (batch, control) => {
    let done: string | undefined
    try {
      for (const record of batch.records) {
        if (!control.isRunning() || control.isStale()) break
        const parsed = parseEvent(record.value)
        if (!parsed.success) await handlers.onInvalid(record, parsed.error)
        else if (parsed.event) await handlers.onEvent(parsed.event, record)
        done = record.offset
      }
    } finally {
      if (done !== undefined) await control.commit(done)
    }
  }
}
