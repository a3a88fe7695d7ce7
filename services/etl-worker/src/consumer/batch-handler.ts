import { type BatchHandler, deadLetterRecord, type IncomingRecord, type OutgoingRecord } from '@watch-together/kafka'
import { type EventEnvelope, parseEvent } from '@watch-together/protocol'
import { traceFrom } from '@watch-together/service-kit'
import type { WriteResult } from '../archive/archive-writer.js'
import type { TracedEvent } from '../archive/documents.js'
import type { EtlMetrics } from '../metrics.js'
import { BatchAbandoned, retryUntilDone } from './retry.js'

export interface BatchHandlerDeps {
  /** `signal` aborts when the batch stops waiting (see keep-alive.ts). */
  write (events: EventEnvelope[], signal?: AbortSignal): Promise<WriteResult>
  sendDeadLetters (records: OutgoingRecord[]): Promise<void>
  metrics: EtlMetrics
  log: { warn (obj: object, msg: string): void, debug (obj: object, msg: string): void }
  chunkSize: number
  retry: { initialMs: number, maxMs: number, heartbeatEveryMs?: number }
}

/** Splits records into the events to archive and the dead letters of those failing their schema. */
export function sortRecords (records: IncomingRecord[]): { events: TracedEvent[], deadLetters: OutgoingRecord[] } {
  const events: TracedEvent[] = []
  const deadLetters: OutgoingRecord[] = []
  for (const record of records) {
    const parsed = parseEvent(record.value)
    const traceId = record.headers.traceparent ? traceFrom(record.headers.traceparent).traceId : undefined
    if (parsed.success) events.push(traceId ? { ...parsed.envelope, traceId } : parsed.envelope)
    else deadLetters.push(deadLetterRecord(record, parsed.error.message, 'etl-worker'))
  }
  return { events, deadLetters }
}

/**
 * One partition's batch, chunk by chunk: archive the good events, dead-letter the bad records,
 * then commit the chunk's last offset. The commit comes only after both are durable (MongoDB
 * majority+journal, Kafka acks=all), so a crash anywhere re-delivers the chunk, and the writes
 * being idempotent makes that harmless. Errors are retried in place with backoff; heartbeats go
 * on all the while, also while a write is in flight or queued behind other partitions' (see
 * keep-alive.ts). A stop, a stale partition or a refused heartbeat (eviction, rebalance) ends
 * the batch uncommitted, and a chunk is committed only while the batch is still this member's.
 */
export function createBatchHandler (deps: BatchHandlerDeps): BatchHandler {
  const { metrics } = deps
  return async (batch, control) => {
    for (let start = 0; start < batch.records.length; start += deps.chunkSize) {
      const chunk = batch.records.slice(start, start + deps.chunkSize)
      const { events, deadLetters } = sortRecords(chunk)
      const onRetry = (err: Error, attempt: number, delayMs: number) => {
        metrics.writeRetries.inc()
        deps.log.warn({ err, attempt, delayMs, partition: batch.partition }, 'archive write failed; retrying, offsets not committed')
      }
      const result = await retryUntilDone(async (signal) => {
        const stop = metrics.writeSeconds.startTimer()
        const written = await deps.write(events, signal)
        stop()
        return written
      }, control, { ...deps.retry, onRetry })
      if (deadLetters.length > 0) {
        await retryUntilDone(() => deps.sendDeadLetters(deadLetters), control, { ...deps.retry, onRetry })
        metrics.deadLetters.inc(deadLetters.length)
        deps.log.warn({ count: deadLetters.length, partition: batch.partition, reason: deadLetters[0]?.headers?.['dlq-reason'] }, 'records dead-lettered')
      }
      // The writes may have taken long: commit only for a partition this member still holds.
      if (!control.isRunning()) throw new BatchAbandoned('consumer stopping')
      if (control.isStale()) throw new BatchAbandoned('partition reassigned')
      const last = chunk[chunk.length - 1]!
      await control.commit(last.offset)
      await control.heartbeat()
      // At debug level, which acts' events this chunk archived: follow a trace id to its archived documents.
      deps.log.debug({ partition: batch.partition, count: events.length, traceIds: [...new Set(events.flatMap((e) => e.traceId ?? []))] }, 'events archived')
      metrics.batchSize.observe(chunk.length)
      metrics.archived.inc(result.events)
      metrics.duplicates.inc(result.events - result.eventsInserted)
    }
  }
}
