import type { RedisClient } from '../plugins/redis.js'
import { outboxKeys } from '../rooms/keys.js'
import { keySlot, SLOTS } from '../rooms/slots.js'

/**
 * Where a stream of pending events is listed (see outboxKeys): its slot's index, written in the
 * emit step, and its bucket's hint, written after it. Shared by the writers (room-log.ts,
 * legacy-socket.ts) and the publisher, so both agree on the bucket of every stream.
 */
/** How often a failed hint is written (a second apart) before it is left to the sweep. */
const HINT_TRIES = 10
const HINT_RETRY_MS = 1_000

export function createOutboxIndex (redis: RedisClient, prefix: string, buckets: number) {
  const keys = outboxKeys(prefix)
  const bucketOf = (stream: string) => keySlot(stream) % buckets
  /** Hints waiting for the next flush, by bucket (see hintSoon). */
  const pending = new Map<number, Set<string>>()
  let flushing: NodeJS.Immediate | undefined
  function flush () {
    flushing = undefined
    for (const [bucket, streams] of pending) write(bucket, [...streams], 0)
    pending.clear()
  }
  /**
   * A hint that fails (Redis away, a command timed out under load) is tried again a few times: left
   * to the sweep, its stream's events would wait up to a minute for Kafka.
   */
  function write (bucket: number, streams: string[], failures: number) {
    redis.sAdd(keys.hint(bucket), streams).catch(() => {
      if (failures + 1 >= HINT_TRIES) return
      setTimeout(() => { write(bucket, streams, failures + 1) }, HINT_RETRY_MS).unref()
    })
  }
  function hintSoon (stream: string) {
    const bucket = bucketOf(stream)
    let streams = pending.get(bucket)
    if (!streams) pending.set(bucket, streams = new Set())
    streams.add(stream)
    flushing ??= setImmediate(flush)
  }
  return {
    buckets,
    /** The slot index a stream is listed in: a key in the stream's own slot, so the emit script may write it. */
    slotIndexOf: (stream: string) => keys.slotIndex(keySlot(stream)),
    slotIndex: keys.slotIndex,
    hintOf: keys.hint,
    leaseOf: keys.lease,
    bucketOf,
    /** The slots whose streams a bucket's publisher drains. */
    slotsOf: (bucket: number) => Array.from({ length: Math.ceil((SLOTS - bucket) / buckets) }, (_, i) => bucket + i * buckets),
    /** Tells the stream's publisher there is work (a hint: the slot index is the record). */
    async hint (stream: string) {
      await redis.sAdd(keys.hint(bucketOf(stream)), stream)
    },
    /**
     * The same hint, gathered until the event loop's next turn and written with one SADD per bucket:
     * under load many emits complete in one turn (their replies arrive together), and each hinted its
     * stream with a command of its own. Lost with a crash like any hint (the sweep finds the stream).
     */
    hintSoon
  }
}
export type OutboxIndex = ReturnType<typeof createOutboxIndex>
