import { CompressionTypes, Partitioners } from 'kafkajs'
import { type EventEnvelope, eventKey } from '@watch-together/protocol'
import { createKafkaClient } from './client.js'
import type { KafkaSettings, OutgoingRecord, SentRecords } from './types.js'

export interface Producer {
  connect (): Promise<void>
  /** Resolves once every record is acknowledged by all in-sync replicas (acks = -1). */
  send (topic: string, records: OutgoingRecord[]): Promise<SentRecords[]>
  disconnect (): Promise<void>
}

export interface ProducerOptions {
  /** Compress batches; lz4/zstd need extra codecs in kafkajs, gzip is built in. */
  compress?: boolean
}

/**
 * Broker answers meaning the producer's idempotence state (producer id, per-partition sequence) no longer
 * matches the broker's: typically a batch written by a leader that died before answering, then resent
 * after kafkajs's retries ran out as part of a differently cut batch. Every later send to that partition
 * would fail the same way, so the producer starts over with a new producer id.
 */
const SEQUENCE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING'])
function sequenceLost (err: unknown): boolean {
  for (let e = err as { type?: string, cause?: unknown, originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && SEQUENCE_LOST.has(e.type)) return true
    e = (e.cause ?? e.originalError) as typeof e
  }
  return false
}

export function createProducer (settings: KafkaSettings, opts: ProducerOptions = {}): Producer {
  const client = createKafkaClient(settings)
  const make = () => client.producer({
    // Java-compatible murmur2 partitioning: a room id lands on the same partition from any client.
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    // Idempotent: a batch resent after a broker died mid-request (kafkajs retries it on the new leader) is
    // written once. One request in flight keeps a partition's order through retries. kafkajs would retry
    // an idempotent send without end (hanging through an outage), so the retries are bounded like every
    // other request's (kafkajs warns once at start that this weakens its guarantee); a send that gives
    // up is resent by the caller, and consumers dedupe by event id as before.
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: settings.retries ?? 5 }
  })
  let producer = make()
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send (topic, records) {
      if (records.length === 0) return []
      try {
        const sent = await producer.send({
          topic,
          acks: -1,
          compression: opts.compress ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: records.map((r) => ({ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) }))
        })
        return sent.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: m.baseOffset ?? '-1' }))
      } catch (err) {
        if (sequenceLost(err)) {
          settings.logger?.warn({ err }, 'kafka producer sequence lost; starting a new idempotent producer')
          const old = producer
          producer = make()
          await old.disconnect().catch(() => {})
          await producer.connect()
        }
        throw err
      }
    }
  }
}

/** The record for one event on `watch_together`: keyed by room id, JSON value, type in a header. */
export function eventRecord (event: EventEnvelope): OutgoingRecord {
  return {
    key: eventKey(event),
    value: JSON.stringify(event),
    headers: { 'event-type': event.type, 'event-id': event.id, 'schema-version': String(event.v) }
  }
}
