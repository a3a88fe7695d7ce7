import type { EventEmitter } from 'node:events'

export interface HeartbeatWatchdogOptions {
  /** A heartbeat still unanswered after this long can no longer finish by itself. */
  stuckAfterMs: number
  /** How often pending heartbeats are looked at. */
  checkEveryMs: number
  /** Called once per stuck heartbeat, with the server's address and how long it has waited. */
  onStuck: (address: string, pendingMs: number) => void
}

/**
 * Watches the driver's server monitor through its public heartbeat events and reports a
 * heartbeat that never ends. Why: the mongodb driver (7.8, 7.9) can wedge its monitor for good.
 * When the server closes an idle monitor connection (FIN, as FerretDB does 3 s after SIGTERM),
 * Node destroys the socket at once but emits 'close' only later in the event loop; if a failed
 * operation wakes the monitor in between, the driver still sees the connection as open, writes
 * its hello to the destroyed socket — Node then emits neither 'drain' nor 'error' — and waits for
 * 'drain' forever. The monitor never checks again, the server stays Unknown, and every operation
 * fails server selection long after MongoDB is back (reproduced in test/mongo-wedge.test.ts).
 * patches/mongodb@7.8.0.patch removes the cause (such a write now fails); this stays as a net
 * should another path to the same state exist, or the patch be lost in an upgrade.
 * A heartbeat is otherwise bounded by the driver's own timeouts, so one outliving them is stuck.
 */
export function watchHeartbeats (client: EventEmitter, opts: HeartbeatWatchdogOptions): { stop (): void } {
  const pending = new Map<string, number>()
  const onStarted = (e: { connectionId: string }) => { if (!pending.has(e.connectionId)) pending.set(e.connectionId, Date.now()) }
  const onEnded = (e: { connectionId: string }) => { pending.delete(e.connectionId) }
  // A server closed with its heartbeat pending (its topology closed: a connect that failed, or the
  // client closed) emits no end for it: that monitor is gone, not stuck; a new one starts afresh.
  const onServerClosed = (e: { address: string }) => { pending.delete(e.address) }
  client.on('serverHeartbeatStarted', onStarted)
  client.on('serverHeartbeatSucceeded', onEnded)
  client.on('serverHeartbeatFailed', onEnded)
  client.on('serverClosed', onServerClosed)
  const timer = setInterval(() => {
    for (const [address, since] of pending) {
      const waited = Date.now() - since
      if (waited < opts.stuckAfterMs) continue
      pending.delete(address) // reported once; a restarted monitor starts afresh
      opts.onStuck(address, waited)
    }
  }, opts.checkEveryMs)
  timer.unref()
  return {
    stop () {
      clearInterval(timer)
      client.off('serverHeartbeatStarted', onStarted)
      client.off('serverHeartbeatSucceeded', onEnded)
      client.off('serverHeartbeatFailed', onEnded)
      client.off('serverClosed', onServerClosed)
    }
  }
}
