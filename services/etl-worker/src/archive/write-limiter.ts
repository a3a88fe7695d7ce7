/**
 * At most `concurrency` MongoDB requests of the archive in flight per process. FerretDB on SQLite
 * (development, tests) has one writer at a time, and concurrent writes wait in SQLite's busy
 * handler (sleeps of up to 100 ms), which measured slower than writing one after another; real
 * MongoDB takes concurrent writes well, so production can raise ETL_WRITE_CONCURRENCY.
 */
export type WriteLimiter = <T>(work: () => Promise<T>) => Promise<T>

export function createWriteLimiter (concurrency: number): WriteLimiter {
  let running = 0
  const waiting: Array<() => void> = []
  return async (work) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
    else running++
    try {
      return await work()
    } finally {
      const next = waiting.shift()
      if (next) next() // the slot passes straight to the next in line
      else running--
    }
  }
}

export const unlimited: WriteLimiter = (work) => work()
