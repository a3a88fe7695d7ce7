import type { IncomingRecord, OutgoingRecord } from '@watch-together/kafka'

/**
 * The dead-letter copy of a record that failed its schema: the original bytes and headers,
 * plus where it came from and why, in `dlq-*` headers, so it can be inspected and replayed.
 */
export function deadLetterRecord (record: IncomingRecord, reason: string, now = Date.now()): OutgoingRecord {
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
      'dlq-service': 'etl-worker'
    }
  }
}
