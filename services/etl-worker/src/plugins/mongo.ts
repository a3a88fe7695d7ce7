import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Db, MongoClient } from 'mongodb'
import { Counter } from 'prom-client'
import { watchHeartbeats } from '../mongo/heartbeat-watchdog.js'

declare module 'fastify' {
  interface FastifyInstance {
    mongo: {
      client: MongoClient
      db: Db
      /** True once MongoDB has answered and `prepare` (the archive's indexes) has run. */
      isReady (): boolean
      /** Resolves at that moment; rejects if the app closes first. */
      ready: Promise<void>
    }
  }
}

export interface MongoPluginOptions {
  url: string
  database: string
  /** Backoff bounds between connection attempts while MongoDB does not answer at start. */
  retry: { initialMs: number, maxMs: number }
  /** Run once MongoDB answers, before the plugin reports ready (index creation); retried on failure. */
  prepare?: (db: Db) => Promise<void>
  /** How long start-up waits for MongoDB before going on without it (default 2000 ms). */
  startWaitMs?: number
  /** A driver heartbeat unanswered this long means its monitor is stuck (default: see below; tests shorten it). */
  monitorStuckMs?: number
}

// Connection attempts, and each monitor heartbeat, fail after this long (the driver's default is
// 30 s). 10 s is ample for a server on loopback or a LAN, and it bounds how long a healthy
// heartbeat can take, so a stuck one is recognised sooner (see heartbeat-watchdog.ts).
const CONNECT_TIMEOUT_MS = 10_000
const HEARTBEAT_FREQUENCY_MS = 10_000 // the driver's default, written out for the bound below
// The longest a heartbeat can legitimately last: a new connection (connect, then the handshake,
// each up to the connect timeout), or with real MongoDB's streaming protocol an awaited hello that
// answers within the heartbeat frequency; plus slack for a loaded event loop.
const MONITOR_STUCK_MS = 2 * CONNECT_TIMEOUT_MS + HEARTBEAT_FREQUENCY_MS + 5000

/**
 * The MongoDB client. The worker starts even when MongoDB is down: the app serves /readyz (503,
 * mongo named) while this plugin keeps trying with exponential backoff; `ready` resolves once
 * MongoDB answers and `prepare` has run, and only then does the consumer join the group — so
 * nothing is consumed, or committed, before the archive can be written.
 *
 * One client for the app's lifetime: the archive's writers, the finalizer and the readiness check
 * hold its Db and collections, which stay valid across a reconnection (each operation uses the
 * client's topology of the moment). The driver does not keep that topology usable by itself,
 * though: a connect that fails — explicit, or the one an operation makes when none is open —
 * closes its topology and leaves it on the client, where every later operation fails at once
 * with MongoTopologyClosedError, for good; and after `client.close()` operations fail with
 * MongoNotConnectedError until `connect()` is called again. Only an explicit `client.connect()`
 * replaces a closed topology, so this plugin does all connecting itself, and whenever the client's
 * topology closes while the app runs (whoever closed it) it connects it again.
 */
async function mongo (app: FastifyInstance, opts: MongoPluginOptions) {
  // A short server-selection timeout turns an outage into a quick error to back off from, instead
  // of a 30 s hang; once connected, the driver reconnects by itself to a server that comes back.
  const client = new MongoClient(opts.url, {
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
    appName: 'watch-together'
  })
  const db = client.db(opts.database)
  let ready = false
  const state = { closing: false } // an object: the loops below see it change
  const sleepers = new Set<() => void>()
  let resolveReady: () => void = () => {}
  let rejectReady: (err: Error) => void = () => {}
  const readyPromise = new Promise<void>((resolve, reject) => { resolveReady = resolve; rejectReady = reject })
  readyPromise.catch(() => {}) // nobody may be waiting when the app closes first

  /** Sleeps `ms`, or until the app closes. */
  function sleep (ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); sleepers.delete(done); resolve() }
      const timer = setTimeout(done, ms)
      sleepers.add(done)
    })
  }

  /**
   * Runs `step` until it succeeds, backing off exponentially (`opts.retry`) between attempts;
   * false if the app closed first. A close wakes the sleep at once.
   */
  async function untilDone (step: () => Promise<void>, failing: string): Promise<boolean> {
    for (let attempt = 0; !state.closing; attempt++) {
      try {
        await step()
        if (attempt > 0) app.log.info({ attempts: attempt + 1 }, `${failing}: recovered`)
        return true
      } catch (err) {
        if (state.closing) return false
        const delayMs = Math.min(opts.retry.maxMs, opts.retry.initialMs * 2 ** Math.min(attempt, 20))
        app.log.warn({ err, attempt: attempt + 1, delayMs }, `${failing}; retrying`)
        await sleep(delayMs)
      }
    }
    return false
  }

  // The plugin's own connect() and close() calls in progress: a topology closed meanwhile is
  // theirs (a failed attempt, retried; a restart, reconnected), not one closed under the app.
  let managing = 0
  async function managed (move: () => Promise<unknown>): Promise<void> {
    managing++
    try { await move() } finally { managing-- }
  }

  let startFailure: Error | undefined // the last attempt's, for /readyz until ready
  async function connectUntilReady () {
    const connected = await untilDone(async () => {
      try {
        await managed(() => client.connect()) // at once when connected; else replaces a closed topology
        await db.command({ ping: 1 })
        await opts.prepare?.(db)
      } catch (err) {
        startFailure = err as Error
        throw err
      }
    }, `MongoDB (${opts.url}) not ready`)
    if (!connected) return
    ready = true
    resolveReady()
  }

  /** Connects the client again until it is (closing it first for a restart); one at a time. */
  let reconnecting: Promise<void> | undefined
  function reconnect (restart: boolean): void {
    if (reconnecting || state.closing) return
    reconnecting = (async () => {
      if (restart) await managed(() => client.close()).catch((err: Error) => { app.log.warn({ err }, 'closing the stuck MongoDB client failed') })
      await untilDone(() => managed(() => client.connect()), 'MongoDB client reconnect: not connected yet')
    })().finally(() => { reconnecting = undefined })
  }

  // A stuck driver monitor (heartbeat-watchdog.ts) never recovers by itself: every operation would
  // fail server selection for good. Closing and reconnecting the client gives it a new monitor and
  // pool; its Db and collections stay valid, and the writes that fail meanwhile are retried.
  const restarts = new Counter({ name: 'etl_mongo_client_restarts_total', help: 'MongoDB client restarts after its server monitor got stuck', registers: [app.metrics] })
  const watchdog = watchHeartbeats(client, {
    stuckAfterMs: opts.monitorStuckMs ?? MONITOR_STUCK_MS,
    checkEveryMs: Math.min(1000, opts.monitorStuckMs ?? 1000),
    onStuck: (address, pendingMs) => {
      if (reconnecting || state.closing) return
      restarts.inc()
      app.log.error({ address, heartbeatPendingMs: pendingMs }, 'MongoDB driver monitor stuck (a heartbeat never finished); restarting the client')
      reconnect(true)
    }
  })
  // Whatever else closes the client's topology while the app runs (an operation's own connect
  // that failed, a close by anyone else), nothing in the driver would ever open it again.
  const onTopologyClosed = () => {
    if (state.closing || managing > 0 || reconnecting) return
    app.log.warn('MongoDB client closed while the app runs (not by the mongo plugin); connecting it again')
    setImmediate(() => reconnect(false)) // once the close that emitted this has finished
  }
  client.on('topologyClosed', onTopologyClosed)

  app.decorate('mongo', { client, db, isReady: () => ready, ready: readyPromise })
  app.readiness.add('mongo', async () => {
    if (!ready) throw new Error(startFailure ? `not connected yet (last attempt: ${startFailure.message})` : 'not connected yet')
    await db.command({ ping: 1 })
  })
  connectUntilReady().catch((err: Error) => { app.log.error({ err }, 'MongoDB connect loop failed') })
  // Usually MongoDB answers at once and the app starts ready, indexes made; when it does not,
  // the app starts anyway after this short wait and the loop goes on in the background.
  let startWait: NodeJS.Timeout | undefined
  await Promise.race([readyPromise, new Promise((resolve) => { startWait = setTimeout(resolve, opts.startWaitMs ?? 2000) })]).catch(() => {})
  clearTimeout(startWait)
  app.addHook('onClose', async () => {
    state.closing = true
    watchdog.stop()
    client.off('topologyClosed', onTopologyClosed)
    for (const wake of sleepers) wake()
    rejectReady(new Error('closing'))
    // Closing first ends a connect in flight; the loops, seeing `closing`, start no other (and an
    // operation cannot connect a closed client by itself), so the second close finds nothing open.
    await client.close()
    await reconnecting?.catch(() => {})
    await client.close()
  })
}

export const mongoPlugin = fp(mongo, { name: 'mongo', dependencies: ['watch-together-basics'] })
