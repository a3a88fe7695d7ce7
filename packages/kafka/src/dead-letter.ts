import type { IncomingRecord, OutgoingRecord } from './types.js'

/**
 * The dead-letter copy of a record no consumer could handle (every service writes the same
 * headers): the original bytes and headers, plus where it came from, why, when and who gave up
 * on it, in `dlq-*` headers, so it can be inspected and replayed.
 */
export function deadLetterRecord (record: IncomingRecord, reason: string, service: string, now = Date.now()): OutgoingRecord {
  return {
    key: record.key ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      'dlq-reason': reason.slice(0, 2000),
      'dlq-source-topic': record.topic,
      'dlq-source-partition': String(record.partition),
      'dlq-source-offset': record.offset,
      'dlq-failed-at': String(now),
      'dlq-service': service
    }
  }
}

/** Thrown by an event handler for an event that can never succeed: it is dead-lettered at once, not retried. */
export class PermanentEventError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PermanentEventError'
  }
}
