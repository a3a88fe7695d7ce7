/** Where a partition stands for the group: its committed offset ('-1' when none) and its log's ends. */
export interface PartitionOffsets {
  partition: number
  committed: string
  low: string
  high: string
}

/** What the handler last did on a partition: which records, whether it is still at them, what it committed. */
export interface BatchNote {
  first?: string
  last?: string
  /** True from the batch's start until its handler returns or throws. */
  inFlight: boolean
  committed?: string
  /** The handler threw (the records will be fetched again). */
  threw?: boolean
}

export interface Stall {
  /** Assigned partitions with records waiting and no progress for `stallMs`, with their last batch (none since the assignment: kafkajs never handed one over). */
  partitions: Array<PartitionOffsets & { lag: string, idleMs: number, lastBatch?: BatchNote }>
  /** Fetches kafkajs started since the oldest of them last moved: 0 means its fetch loop is dead. */
  fetchesSince: number
}

/**
 * Tells a stalled consumer from an idle or a busy one. Progress on a partition is a batch starting or
 * ending, a commit, or the handler's heartbeat while it retries in place (an outage is not a stall); a
 * (re)assignment starts every partition's clock again. Only a partition idle for `stallMs` costs a
 * look at the group's offsets, and it is stalled only if records wait past its committed offset:
 * a stuck batch, a fetch loop that died, or a position kafkajs moved past uncommitted records.
 */
export function progressWatch (opts: { stallMs: number, offsets (partitions: number[]): Promise<PartitionOffsets[]> }) {
  const moved = new Map<number, number>()
  let assigned: number[] = []
  let fetches = 0
  const fetchesAt = new Map<number, number>()
  const batches = new Map<number, BatchNote>()

  const progress = (partition: number, now = Date.now()) => {
    moved.set(partition, now)
    fetchesAt.set(partition, fetches)
  }

  return {
    assigned (partitions: number[], now = Date.now()) {
      assigned = partitions
      moved.clear()
      fetchesAt.clear()
      batches.clear()
      for (const p of partitions) progress(p, now)
    },
    progress,
    /** Records what the handler is doing on a partition (and counts it as progress). */
    note (partition: number, change: Partial<BatchNote>, now = Date.now()) {
      batches.set(partition, { inFlight: false, ...batches.get(partition), ...change })
      progress(partition, now)
    },
    fetched () { fetches++ },
    /** The stalled partitions, or undefined when every assigned one moved lately or has nothing waiting. */
    async check (now = Date.now()): Promise<Stall | undefined> {
      const idle = assigned.filter((p) => now - (moved.get(p) ?? now) >= opts.stallMs)
      if (idle.length === 0) return undefined
      // kafkajs hands one consumer's batches over one at a time: partitions queued behind a batch its
      // handler is still working at (retrying through an outage, heartbeating) wait, they are not stalled.
      const working = [...batches].some(([p, b]) => b.inFlight && now - (moved.get(p) ?? now) < opts.stallMs)
      if (working) return undefined
      const waiting = (await opts.offsets(idle)).flatMap((o) => {
        const from = BigInt(o.committed) < 0n ? BigInt(o.low) : BigInt(o.committed)
        const lag = BigInt(o.high) - from
        // Re-read after the await: a batch may have moved it meanwhile.
        const idleMs = now - (moved.get(o.partition) ?? now)
        const lastBatch = batches.get(o.partition)
        return lag > 0n && idleMs >= opts.stallMs && assigned.includes(o.partition) ? [{ ...o, lag: lag.toString(), idleMs, ...(lastBatch ? { lastBatch } : {}) }] : []
      })
      if (waiting.length === 0) return undefined
      const since = Math.min(...waiting.map((w) => fetchesAt.get(w.partition) ?? fetches))
      return { partitions: waiting, fetchesSince: fetches - since }
    }
  }
}
