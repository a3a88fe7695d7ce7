// The project's own Kafka types, so no kafkajs type leaks past this package and the
// client can be swapped (kafkajs is in maintenance mode) by rewriting this package alone.

export interface LoggerLike {
  error (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  debug (obj: object, msg?: string): void
}

export interface KafkaSettings {
  brokers: string[]
  clientId: string
  logger?: LoggerLike
  connectionTimeoutMs?: number
  requestTimeoutMs?: number
  /** Retries of one request before an operation fails (kafkajs backs off exponentially). */
  retries?: number
}

export interface OutgoingRecord {
  /** Always the room id for `watch_together`, so one room's events stay in order on one partition. */
  key: string
  value: string | Buffer
  headers?: Record<string, string>
}

/** Where a send landed: the first offset written on each partition it touched. */
export interface SentRecords {
  topic: string
  partition: number
  baseOffset: string
}

export interface IncomingRecord {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: Buffer | null
  headers: Record<string, string>
  timestamp: number
}

export interface RecordBatch {
  topic: string
  partition: number
  highWatermark: string
  records: IncomingRecord[]
}

export interface BatchControl {
  /** Rejects when the group is rebalancing or dropped this member; isStale() is true from then on. */
  heartbeat (): Promise<void>
  /** False once the consumer is stopping: stop work early. */
  isRunning (): boolean
  /**
   * True once the partition may be another member's (a seek, or a heartbeat found the group
   * rebalancing): stop work early and leave the rest uncommitted, so the group can rebalance.
   */
  isStale (): boolean
  /** Commits up to and including `offset` on this batch's partition. Call only after writes are durable. */
  commit (offset: string): Promise<void>
}

export type BatchHandler = (batch: RecordBatch, control: BatchControl) => Promise<void>

export interface TopicSpec {
  topic: string
  partitions: number
}
