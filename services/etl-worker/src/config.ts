import { TOPICS } from '@watch-together/protocol'
import { baseConfigShape, boolString, hostPortList, intString, loadConfig, port } from '@watch-together/service-kit'
import { z } from 'zod'

export const ConfigSchema = z.object({
  ...baseConfigShape,
  PORT: port(3003),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URL').default('mongodb://127.0.0.1:27017'),
  MONGO_DB: z.string().regex(/^[\w-]{1,63}$/, 'expected a database name').default('watch_together'),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_TOPIC: z.string().min(1).default(TOPICS.events),
  KAFKA_DLQ_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  KAFKA_GROUP_ID: z.string().min(1).default('etl-worker'),
  /** Partitions used only when this worker has to create KAFKA_TOPIC itself. */
  KAFKA_TOPIC_PARTITIONS: intString(1, 1000).default(12),
  KAFKA_SESSION_TIMEOUT_MS: intString(6000, 300_000).default(30_000),
  /** Off: serve health and metrics only (reports and benchmarks use the app without consuming). */
  ETL_CONSUME: boolString(true),
  /**
   * Partitions whose batches are handled at the same time. A room lives on one partition, so they
   * never touch the same summary; chunks arriving while a write is in flight are written together
   * by the next one (group commit, consumer/group-writer.ts).
   */
  ETL_PARTITION_CONCURRENCY: intString(1, 64).default(12),
  /**
   * Records written and committed together; a long batch is cut into chunks of this size. A room's
   * summary is written once per chunk, so bigger chunks write fewer summaries per event.
   */
  ETL_CHUNK_SIZE: intString(1, 10_000).default(5000),
  /**
   * Most bytes fetched from one partition per request (kafkajs' default is 1 MiB, about 2,000 of
   * our records). A partition's next batch is handled only after its current one is committed, so
   * a backlog cut into small batches ends in small, serial writes; 4 MiB takes about 8,000 at once.
   */
  ETL_FETCH_PARTITION_BYTES: intString(64 * 1024, 64 * 1024 * 1024).default(4 * 1024 * 1024),
  /**
   * MongoDB requests of the archive in flight at once, across partitions and within a chunk.
   * 1 suits FerretDB on SQLite (one writer at a time); real MongoDB takes more.
   */
  ETL_WRITE_CONCURRENCY: intString(1, 64).default(1),
  /**
   * Longest one MongoDB request of the archive may take before it counts as failed and is retried
   * (see write-limiter.ts); generous, since FerretDB under load takes seconds for a large chunk.
   */
  ETL_WRITE_TIMEOUT_MS: intString(1000, 600_000).default(30_000),
  /** Backoff bounds while MongoDB refuses writes (the batch is retried, never committed meanwhile). */
  ETL_RETRY_INITIAL_MS: intString(10, 60_000).default(200),
  ETL_RETRY_MAX_MS: intString(10, 300_000).default(5000),
  /** A room with no event for this long is finalized and archived (6 h by default). */
  ETL_ROOM_IDLE_MS: intString(1000, 30 * 24 * 3600_000).default(6 * 3600_000),
  /** How often the finalizer looks for closed or idle rooms. */
  ETL_FINALIZE_INTERVAL_MS: intString(100, 3600_000).default(30_000)
})
export type Config = z.infer<typeof ConfigSchema>

export function readConfig (env: Record<string, string | undefined>): Config {
  return loadConfig(ConfigSchema, env)
}
