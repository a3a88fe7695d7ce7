import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export interface PartitionLag { topic: string, partition: number, lag: number }

/**
 * The worker's own metrics, on the app's registry (served at /metrics). Lag is read when scraped:
 * the partition ends minus the group's committed offsets, so it is right across several workers.
 */
export function createEtlMetrics (registry: Registry, readLag: () => Promise<PartitionLag[]>) {
  const registers = [registry]
  return {
    lag: new Gauge({
      name: 'etl_consumer_lag',
      help: 'Records not yet committed by the consumer group, per partition',
      labelNames: ['topic', 'partition'],
      registers,
      async collect () {
        try {
          for (const p of await readLag()) this.set({ topic: p.topic, partition: String(p.partition) }, p.lag)
        } catch { /* Kafka unreachable: keep the last values */ }
      }
    }),
    batchSize: new Histogram({ name: 'etl_batch_size', help: 'Records per written chunk', buckets: [1, 10, 50, 100, 250, 500, 1000, 5000], registers }),
    writeSeconds: new Histogram({ name: 'etl_write_duration_seconds', help: 'Time to write one chunk durably to MongoDB', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers }),
    deadLetters: new Counter({ name: 'etl_dead_letters_total', help: 'Records sent to the dead-letter topic', registers }),
    archived: new Counter({ name: 'etl_events_archived_total', help: 'Events written (including re-deliveries already archived)', registers }),
    duplicates: new Counter({ name: 'etl_events_duplicate_total', help: 'Events that were already archived (re-delivery or replay)', registers }),
    writeRetries: new Counter({ name: 'etl_write_retries_total', help: 'Chunk writes retried after a MongoDB error', registers }),
    writeTimeouts: new Counter({ name: 'etl_write_timeouts_total', help: 'MongoDB requests of the archive abandoned after ETL_WRITE_TIMEOUT_MS (their chunk is retried)', registers }),
    roomsArchived: new Counter({ name: 'etl_rooms_archived_total', help: 'Rooms finalized and announced as archived', registers })
  }
}
export type EtlMetrics = ReturnType<typeof createEtlMetrics>
