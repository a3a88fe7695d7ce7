import type { Consumer as KafkaJsConsumer, EachBatchPayload } from 'kafkajs'
import { createKafkaClient } from './client.js'
import type { BatchHandler, IncomingRecord, KafkaSettings } from './types.js'

export interface Consumer {
  connect (): Promise<void>
  subscribe (topics: string[], opts?: { fromBeginning?: boolean }): Promise<void>
  /**
   * Runs `handler` per batch per partition. Offsets are never committed automatically:
   * the handler commits after its writes are durable, so a crash re-delivers instead of losing.
   * If the handler throws, the batch's uncommitted records are delivered again.
   */
  run (handler: BatchHandler): Promise<void>
  /** Moves a partition's read position (only after run); replays and tests use it. */
  seek (topic: string, partition: number, offset: string): void
  /** Fires when kafkajs gives up and the consumer stops (after its own restarts). */
  onCrash (listener: (err: Error) => void): void
  /**
   * Tracks this member's partitions: `listener` gets the assignment ({ topic: partitions }) each
   * time the member joins the group, and `{}` when it starts rebalancing, stops or crashes (its
   * partitions may then belong to another member).
   */
  onAssignment (listener: (assignment: Record<string, number[]>) => void): void
  /** Fires each time kafkajs starts a fetch: its loop is alive (the watchdog tells a dead loop from a starved partition). */
  onFetch (listener: () => void): void
  disconnect (): Promise<void>
}

export interface ConsumerOptions {
  groupId: string
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
  /**
   * How long a rebalance waits for the group's members to rejoin (kafkajs's default: 60 s). After a broker
   * restart, consumers that crashed and came back as new members waited that long for their old selves
   * (the chaos soak: realtime's lifecycle group took 57 s to resume, and leaves waited for it).
   */
  rebalanceTimeoutMs?: number
  /** Upper bound on bytes fetched per partition per request; bounds a batch's size. */
  maxBytesPerPartition?: number
  /** Batches of different partitions handled at once (default 1: one at a time). */
  partitionsConsumedConcurrently?: number
}

function toRecord (topic: string, partition: number, m: EachBatchPayload['batch']['messages'][number]): IncomingRecord {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value)
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    headers,
    timestamp: Number(m.timestamp)
  }
}

const MEMBERSHIP_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP'])

/**
 * A commit refused because this member's generation is gone comes out of kafkajs's commit retrier
 * wrapped as non-retriable; thrown from a batch like that it crashes the consumer for good. The
 * original error (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, ...) makes kafkajs rejoin instead.
 */
function membershipCause (err: unknown): unknown {
  for (let e = err as { type?: string, cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.type && MEMBERSHIP_ERRORS.has(e.type)) return e
  }
  return err
}

/**
 * The group's life in the service's log: joins (with the assignment), rebalances, crashes and stops,
 * and each fetch at debug. Without them a consumer that stops making progress leaves nothing to read.
 */
function logLifecycle (consumer: KafkaJsConsumer, groupId: string, log: KafkaSettings['logger']) {
  if (!log) return
  const { events } = consumer
  consumer.on(events.GROUP_JOIN, ({ payload }) => {
    log.info({ groupId, memberId: payload.memberId, isLeader: payload.isLeader, assignment: payload.memberAssignment, durationMs: payload.duration }, 'consumer joined its group')
  })
  consumer.on(events.REBALANCING, ({ payload }) => { log.info({ groupId, memberId: payload.memberId }, 'consumer group rebalancing') })
  consumer.on(events.CRASH, ({ payload }) => {
    log.warn({ groupId, err: payload.error, restart: payload.restart }, payload.restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed; kafkajs gave up')
  })
  consumer.on(events.STOP, () => { log.info({ groupId }, 'consumer stopped') })
  consumer.on(events.FETCH_START, ({ payload }) => { log.debug({ groupId, nodeId: payload.nodeId }, 'consumer fetching') })
}

export function createConsumer (settings: KafkaSettings, opts: ConsumerOptions): Consumer {
  let disconnecting = false
  const consumer: KafkaJsConsumer = createKafkaClient(settings).consumer({
    groupId: opts.groupId,
    // kafkajs restarts a crashed consumer after a delay; a disconnect that lands inside that delay
    // would otherwise be undone by the restart, leaving a consumer running after its app closed.
    retry: {
      retries: settings.retries ?? 5,
      initialRetryTime: 300,
      maxRetryTime: 10_000,
      restartOnFailure: async () => !disconnecting
    },
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: opts.heartbeatIntervalMs ?? 3_000,
    rebalanceTimeout: opts.rebalanceTimeoutMs ?? 20_000,
    allowAutoTopicCreation: false,
    ...(opts.maxBytesPerPartition ? { maxBytesPerPartition: opts.maxBytesPerPartition } : {})
  })

  logLifecycle(consumer, opts.groupId, settings.logger)

  return {
    connect: () => consumer.connect(),
    async disconnect () {
      disconnecting = true
      await consumer.disconnect()
    },
    async subscribe (topics, subscribeOpts = {}) {
      await consumer.subscribe({ topics, fromBeginning: subscribeOpts.fromBeginning ?? true })
    },
    seek (topic, partition, offset) {
      consumer.seek({ topic, partition, offset })
    },
    onCrash (listener) {
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) listener(event.payload.error)
      })
    },
    onAssignment (listener) {
      consumer.on(consumer.events.GROUP_JOIN, (event) => { listener({ ...event.payload.memberAssignment }) })
      for (const lost of [consumer.events.REBALANCING, consumer.events.STOP, consumer.events.CRASH] as const) {
        consumer.on(lost, () => { listener({}) })
      }
    },
    onFetch (listener) {
      consumer.on(consumer.events.FETCH_START, () => { listener() })
    },
    async run (handler) {
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
        // A batch whose handler returned is resolved (the in-memory position moves on); one whose
        // handler threw is fetched again. Commits stay manual: only the handler knows what is durable.
        eachBatchAutoResolve: true,
        eachBatch: async (payload) => {
          const { batch } = payload
          // Set once a heartbeat learns the group is rebalancing (or this member is gone): the partition may
          // be someone else's in a moment, and the rebalance waits for this member to rejoin — a handler
          // retrying in place through an outage would otherwise hold the whole group for the rebalance timeout.
          let rejoin: unknown
          await handler(
            {
              topic: batch.topic,
              partition: batch.partition,
              highWatermark: batch.highWatermark,
              records: batch.messages.map((m) => toRecord(batch.topic, batch.partition, m))
            },
            {
              async heartbeat () {
                try {
                  await payload.heartbeat()
                } catch (err) {
                  const cause = membershipCause(err)
                  if (MEMBERSHIP_ERRORS.has((cause as { type?: string }).type ?? '')) rejoin ??= cause
                  throw cause
                }
              },
              isRunning: () => payload.isRunning(),
              isStale: () => rejoin !== undefined || payload.isStale(),
              async commit (offset) {
                try {
                  // Kafka stores the next offset to read, hence + 1.
                  await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }])
                } catch (err) {
                  throw membershipCause(err)
                }
                // Only once committed: a failed commit leaves the records to be fetched again
                // (resolved first, they would be skipped, and a partition's last chunk never committed).
                payload.resolveOffset(offset)
              }
            }
          )
          // Thrown, not returned: the batch's records after its last commit stay unresolved (a returned
          // batch counts as read), and kafkajs rejoins on the group error.
          if (rejoin !== undefined) throw rejoin
        }
      })
    }
  }
}
