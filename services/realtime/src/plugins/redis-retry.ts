/**
 * Redis errors that pass by themselves: a cluster electing a replica (CLUSTERDOWN, TRYAGAIN during a
 * slot move, MASTERDOWN/READONLY from a demoted node), a node loading its data, a connection the client
 * is re-making. node-redis follows MOVED/ASK itself; these it hands back.
 */
export function isTransientRedisError (err: unknown) {
  const e = err as { name?: string, message?: string, constructor?: { name?: string } }
  if (/^(CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|LOADING)\b/.test(e?.message ?? '')) return true
  // TimeoutError: no answer in time from a node that just died; whether the command ran there is unknown,
  // which is why only repeatable steps are retried (see retryTransient).
  return ['SocketClosedUnexpectedlyError', 'DisconnectsClientError', 'ConnectionTimeoutError', 'ReconnectStrategyError', 'TimeoutError']
    .includes(e?.constructor?.name ?? e?.name ?? '')
}

/**
 * Runs `fn`, again after a transient Redis error, with backoff, for up to `budgetMs` (then the last
 * error is thrown). Only for steps that are safe to repeat: a room's emit is one script (it ran whole
 * or not at all), chat retries are deduplicated by client id, player commands are checked on version.
 */
export async function retryTransient<T> (fn: () => Promise<T>, budgetMs: number, onRetry?: (err: unknown, attempt: number) => void): Promise<T> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      const wait = Math.min(100 * 2 ** attempt, 1000)
      if (!isTransientRedisError(err) || Date.now() - started + wait > budgetMs) throw err
      onRetry?.(err, attempt)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}
