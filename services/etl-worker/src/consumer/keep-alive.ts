import { BatchAbandoned, type RetryControl } from './batch-control.js'

/**
 * The batch must end now, without committing: `reason` is the heartbeat's refusal (the member
 * was evicted or the group is rebalancing; kafkajs must see that very error to rejoin) or a
 * BatchAbandoned (the consumer is stopping, the partition went stale).
 */
export class MembershipLost extends Error {
  constructor (readonly reason: unknown) {
    super(`membership lost: ${(reason as Error)?.message ?? String(reason)}`)
    this.name = 'MembershipLost'
  }
}

/**
 * Waits for `work` while keeping the member alive: kafkajs heartbeats only when asked to, and
 * a chunk can wait a long time for its write — behind the group write in flight, then through
 * one MongoDB request after another (one at a time, each up to the driver's server-selection
 * timeout while MongoDB is down or restarting). Without heartbeats that outlasts the session
 * and the coordinator evicts the member. Every `everyMs` this heartbeats (kafkajs itself sends
 * at most one per heartbeat interval) and checks the batch is still this member's; when it is
 * not, it stops waiting at once (rejecting with MembershipLost) and aborts `signal`, so a chunk
 * still queued for a group write is dropped rather than written for nobody. The batch then
 * ends uncommitted and its records are re-delivered to the partition's next owner.
 */
export async function whileAlive<T> (work: (signal: AbortSignal) => Promise<T>, control: RetryControl, everyMs = 1000): Promise<T> {
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const lost = new Promise<never>((resolve, reject) => {
    const check = async () => {
      if (stopped) return
      try {
        if (!control.isRunning()) throw new BatchAbandoned('consumer stopping')
        if (control.isStale()) throw new BatchAbandoned('partition reassigned')
        await control.heartbeat()
        if (!stopped) timer = setTimeout(check, everyMs)
      } catch (err) {
        abort.abort(err)
        reject(new MembershipLost(err))
      }
    }
    timer = setTimeout(check, everyMs)
  })
  lost.catch(() => {}) // once work has settled nobody listens
  try {
    return await Promise.race([work(abort.signal), lost])
  } finally {
    stopped = true
    clearTimeout(timer)
  }
}
