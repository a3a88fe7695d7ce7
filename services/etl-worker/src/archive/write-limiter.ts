/**
 * At most `concurrency` MongoDB requests of the archive in flight per process. FerretDB on SQLite
 * (development, tests) has one writer at a time, and concurrent writes wait in SQLite's busy
 * handler (sleeps of up to 100 ms), which measured slower than writing one after another; real
 * MongoDB takes concurrent writes well, so production can raise ETL_WRITE_CONCURRENCY.
 *
 * Each request also gets at most `timeoutMs`: a request the driver never answers (seen when the
 * server went away mid-request) would otherwise hold its slot, and every write behind it, forever.
 * It fails with MongoRequestTimeout, which the batch retries like any MongoDB error, and `onTimeout`
 * is told (the worker logs it and counts etl_write_timeouts_total). The abandoned request may still
 * land later, which is harmless: writes are idempotent by id and summaries are guarded by their
 * revision. The driver can leave a request unanswered for good when it writes to a connection the
 * server has just closed (see mongo/heartbeat-watchdog.ts).
 *
 * The abandoned request keeps its slot until it settles, or for `holdAbandonedMs` at most: a server
 * that is merely slow is still working on it, and a retry sent beside it would be a second writer.
 * Found by the chaos soak (issue 20): with the slot freed at once, every retry of a chunk FerretDB
 * was slow to write ran beside the abandoned ones, and its SQLite database locked up for good (no
 * request on it answered again, the process idle) — the archive stalled.
 */
export type WriteLimiter = <T>(work: () => Promise<T>) => Promise<T>

export class MongoRequestTimeout extends Error {
  constructor (ms: number) {
    super(`MongoDB did not answer within ${ms} ms`)
    this.name = 'MongoRequestTimeout'
  }
}

function withTimeout<T> (work: Promise<T>, ms: number, onTimeout?: (ms: number) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { onTimeout?.(ms); reject(new MongoRequestTimeout(ms)) }, ms)
  })
  work.catch(() => {}) // a late failure of an abandoned request is nobody's
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

export function createWriteLimiter (
  concurrency: number, timeoutMs = Infinity, onTimeout?: (ms: number) => void, holdAbandonedMs = 4 * timeoutMs
): WriteLimiter {
  let running = 0
  const waiting: Array<() => void> = []
  const freeSlot = () => {
    const next = waiting.shift()
    if (next) next() // the slot passes straight to the next in line
    else running--
  }
  return async (work) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
    else running++
    let freed = false
    const free = () => { if (!freed) { freed = true; freeSlot() } }
    let held = false
    const request = work()
    try {
      return Number.isFinite(timeoutMs) ? await withTimeout(request, timeoutMs, onTimeout) : await request
    } catch (err) {
      if (err instanceof MongoRequestTimeout) {
        held = true
        const cap = setTimeout(free, holdAbandonedMs)
        request.then(() => {}, () => {}).finally(() => { clearTimeout(cap); free() })
      }
      throw err
    } finally {
      if (!held) free()
    }
  }
}

export const unlimited: WriteLimiter = (work) => work()
