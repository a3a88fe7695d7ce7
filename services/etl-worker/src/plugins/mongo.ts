import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Db, MongoClient } from 'mongodb'

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
}

/**
 * The MongoDB client. The worker starts even when MongoDB is down: the app serves /readyz (503,
 * mongo named) while this plugin keeps trying with exponential backoff; `ready` resolves once
 * MongoDB answers and `prepare` has run, and only then does the consumer join the group — so
 * nothing is consumed, or committed, before the archive can be written.
 */
async function mongo (app: FastifyInstance, opts: MongoPluginOptions) {
  // The driver connects on first use and reconnects by itself; a short server-selection timeout
  // turns an outage into a quick error to back off from, instead of a 30 s hang.
  const client = new MongoClient(opts.url, { serverSelectionTimeoutMS: 5000, appName: 'watch-together' })
  const db = client.db(opts.database)
  let ready = false
  const state = { closing: false }
  let timer: NodeJS.Timeout | undefined
  let wake: () => void = () => {}
  let resolveReady: () => void = () => {}
  let rejectReady: (err: Error) => void = () => {}
  const readyPromise = new Promise<void>((resolve, reject) => { resolveReady = resolve; rejectReady = reject })
  readyPromise.catch(() => {}) // nobody may be waiting when the app closes first

  async function connectUntilReady () {
    for (let attempt = 0; !state.closing; attempt++) {
      try {
        await db.command({ ping: 1 })
        await opts.prepare?.(db)
        ready = true
        if (attempt > 0) app.log.info({ attempts: attempt + 1 }, 'MongoDB answered; archive ready')
        resolveReady()
        return
      } catch (err) {
        if (state.closing) return
        const delayMs = Math.min(opts.retry.maxMs, opts.retry.initialMs * 2 ** Math.min(attempt, 20))
        app.log.warn({ err, attempt: attempt + 1, delayMs }, `MongoDB (${opts.url}) not ready; retrying`)
        await new Promise<void>((resolve) => { wake = resolve; timer = setTimeout(resolve, delayMs) })
      }
    }
  }

  app.decorate('mongo', { client, db, isReady: () => ready, ready: readyPromise })
  app.readiness.add('mongo', async () => {
    if (!ready) throw new Error('not connected yet')
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
    clearTimeout(timer)
    wake()
    rejectReady(new Error('closing'))
    await client.close()
  })
}

export const mongoPlugin = fp(mongo, { name: 'mongo', dependencies: ['watch-together-basics'] })
