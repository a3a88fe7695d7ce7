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

export function createProducer (settings: KafkaSettings, opts: ProducerOptions = {}): Producer {
  const producer = createKafkaClient(settings).producer({
    // Java-compatible murmur2 partitioning: a room id lands on the same partition from any client.
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    // One request in flight keeps a partition's order through retries. kafkajs's idempotent mode is
    // not used: it wants unlimited retries (a send would hang through an outage) and is experimental;
    // consumers dedupe by event id instead.
    maxInFlightRequests: 1
  })
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send (topic, records) {
      if (records.length === 0) return []
      const sent = await producer.send({
        topic,
        acks: -1,
        compression: opts.compress ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: records.map((r) => ({ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) }))
      })
      return sent.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: m.baseOffset ?? '-1' }))
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
