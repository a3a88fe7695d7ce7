import type { EventEnvelope } from '@watch-together/protocol'
import type { WriteResult } from '../archive/archive-writer.js'

/** One caller's chunk: written in one or more parts, settled once every part is durable (or one failed). */
interface Pending {
  events: EventEnvelope[]
  /** Events already handed to a write; the rest waits in the queue. */
  taken: number
  /** Parts handed to a write that has not finished yet. */
  inFlight: number
  duplicates: number
  settled: boolean
  resolve: (r: WriteResult) => void
  reject: (err: unknown) => void
}

interface Part { pending: Pending, events: EventEnvelope[] }

/**
 * Group commit across partitions: chunks handed in while a write is in flight are written together
 * by the next one, filled up to `maxEvents` — the last chunk that does not fit is split, and its
 * rest starts the write after. Several partitions' small batches then cost one insert per
 * collection and one write of summaries instead of one each, and a backlog is written in full-size
 * requests — what matters on a server with one writer at a time (FerretDB/SQLite), for throughput
 * and lag. Each caller still learns about its own chunk only once every part of it is durable, and
 * on an error every caller in the group retries its own whole chunk (the writes are idempotent; a
 * part not yet written is dropped). A caller that stops waiting (its batch lost the partition, or
 * the consumer stops) aborts `signal`: the parts still queued are dropped; a part already being
 * written goes on and its outcome is ignored (harmless: idempotent, and never committed by that caller).
 */
export function createGroupWriter (write: (events: EventEnvelope[]) => Promise<WriteResult & { duplicateIds: Set<string> }>, maxEvents: number) {
  const queue: Pending[] = []
  let writing = false

  function nextGroup (): Part[] {
    const parts: Part[] = []
    let size = 0
    while (queue.length > 0 && size < maxEvents) {
      const pending = queue[0]!
      const n = Math.min(pending.events.length - pending.taken, maxEvents - size)
      parts.push({ pending, events: pending.events.slice(pending.taken, pending.taken + n) })
      pending.taken += n
      pending.inFlight++
      size += n
      if (pending.taken === pending.events.length) queue.shift()
    }
    return parts
  }

  function settle (pending: Pending, outcome: { err: unknown } | undefined) {
    if (pending.settled) return
    if (outcome) {
      pending.settled = true
      const at = queue.indexOf(pending)
      if (at >= 0) queue.splice(at, 1)
      pending.reject(outcome.err)
    } else if (pending.inFlight === 0 && pending.taken === pending.events.length) {
      pending.settled = true
      const { length } = pending.events
      pending.resolve({ events: length, eventsInserted: length - pending.duplicates, chatWrites: 0, summariesWritten: 0 })
    }
  }

  async function drain () {
    writing = true
    // One turn of the event loop first: the partitions of one fetch are handed in together.
    await new Promise((resolve) => setImmediate(resolve))
    while (queue.length > 0) {
      const parts = nextGroup()
      let outcome: { err: unknown } | undefined
      try {
        const result = await write(parts.flatMap((p) => p.events))
        for (const { pending, events } of parts) pending.duplicates += events.filter((e) => result.duplicateIds.has(e.id)).length
      } catch (err) {
        outcome = { err }
      }
      for (const { pending } of parts) {
        pending.inFlight--
        settle(pending, outcome)
      }
    }
    writing = false
  }

  return (events: EventEnvelope[], signal?: AbortSignal): Promise<WriteResult> => new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return }
    const pending: Pending = { events, taken: 0, inFlight: 0, duplicates: 0, settled: false, resolve, reject }
    if (signal) {
      const onAbort = () => settle(pending, { err: signal.reason })
      signal.addEventListener('abort', onAbort, { once: true })
      const done = <A>(fn: (a: A) => void) => (a: A) => { signal.removeEventListener('abort', onAbort); fn(a) }
      pending.resolve = done(resolve)
      pending.reject = done(reject)
    }
    queue.push(pending)
    if (!writing) drain().catch(() => {}) // drain settles every caller itself
  })
}
