import type { EventEnvelope } from '@watch-together/protocol'
import type { WriteResult } from '../archive/archive-writer.js'

interface Pending { events: EventEnvelope[], resolve: (r: WriteResult) => void, reject: (err: unknown) => void }

/**
 * Group commit across partitions: chunks handed in while a write is in flight are written together
 * by the next one (up to `maxEvents`, or one chunk if it is larger). Several partitions' small
 * batches then cost one insert per collection and one summary bulkWrite instead of one each —
 * what matters on a server with one writer at a time (FerretDB/SQLite), for throughput and lag.
 * Each caller still learns about its own chunk only once the whole group is durable, and on an
 * error every caller retries its own chunk (the writes are idempotent). A caller that stops
 * waiting (its batch lost the partition, or the consumer stops) aborts `signal`: its chunk is
 * dropped if still queued; if already being written the write goes on and its outcome is
 * ignored (harmless: idempotent, and never committed by that caller).
 */
export function createGroupWriter (write: (events: EventEnvelope[]) => Promise<WriteResult & { duplicateIds: Set<string> }>, maxEvents: number) {
  const queue: Pending[] = []
  let writing = false

  async function drain () {
    writing = true
    // One turn of the event loop first: the partitions of one fetch are handed in together.
    await new Promise((resolve) => setImmediate(resolve))
    while (queue.length > 0) {
      const group = [queue.shift()!]
      let size = group[0]!.events.length
      while (queue.length > 0 && size + queue[0]!.events.length <= maxEvents) {
        size += queue[0]!.events.length
        group.push(queue.shift()!)
      }
      try {
        const result = await write(group.flatMap((p) => p.events))
        for (const p of group) {
          const duplicates = p.events.filter((e) => result.duplicateIds.has(e.id)).length
          p.resolve({ events: p.events.length, eventsInserted: p.events.length - duplicates, chatWrites: 0, summariesWritten: 0 })
        }
      } catch (err) {
        for (const p of group) p.reject(err)
      }
    }
    writing = false
  }

  return (events: EventEnvelope[], signal?: AbortSignal): Promise<WriteResult> => new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return }
    const pending: Pending = { events, resolve, reject }
    if (signal) {
      const onAbort = () => {
        const at = queue.indexOf(pending)
        if (at >= 0) queue.splice(at, 1)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const settle = <A>(fn: (a: A) => void) => (a: A) => { signal.removeEventListener('abort', onAbort); fn(a) }
      pending.resolve = settle(resolve)
      pending.reject = settle(reject)
    }
    queue.push(pending)
    if (!writing) drain().catch(() => {}) // drain settles every caller itself
  })
}
