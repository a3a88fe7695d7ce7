import { BatchAbandoned, type RetryControl } from './batch-control.js'
import { MembershipLost, whileAlive } from './keep-alive.js'

export { BatchAbandoned, type RetryControl }

export interface RetryOptions {
  initialMs: number
  maxMs: number
  onRetry: (err: Error, attempt: number, delayMs: number) => void
  sleep?: (ms: number) => Promise<void>
  /** How often to heartbeat while an attempt is in flight (default 1000 ms). */
  heartbeatEveryMs?: number
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Runs `work` until it succeeds, backing off exponentially between attempts. While it waits —
 * for an attempt in flight as much as between attempts — it keeps the group membership alive
 * with heartbeats (a MongoDB outage may outlast the session timeout), and gives up, without
 * committing, as soon as the consumer stops, the partition is taken away or a heartbeat is
 * refused (that error is rethrown as is, for kafkajs to rejoin), so the records are re-delivered
 * to whoever owns them next.
 */
export async function retryUntilDone<T> (work: (signal: AbortSignal) => Promise<T>, control: RetryControl, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? defaultSleep
  for (let attempt = 1; ; attempt++) {
    if (!control.isRunning()) throw new BatchAbandoned('consumer stopping')
    if (control.isStale()) throw new BatchAbandoned('partition reassigned')
    try {
      return await whileAlive(work, control, opts.heartbeatEveryMs)
    } catch (err) {
      if (err instanceof MembershipLost) throw err.reason
      const delay = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt - 1, 20))
      opts.onRetry(err as Error, attempt, delay)
      // Sleep in slices so shutdown and heartbeats are not held up by a long backoff.
      for (let waited = 0; waited < delay; waited += 250) {
        if (!control.isRunning()) throw new BatchAbandoned('consumer stopping')
        if (control.isStale()) throw new BatchAbandoned('partition reassigned')
        await sleep(Math.min(250, delay - waited))
        await control.heartbeat()
      }
    }
  }
}
