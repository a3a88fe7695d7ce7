import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Db, MongoClient } from 'mongodb'

declare module 'fastify' {
  interface FastifyInstance {
    mongo: { client: MongoClient, db: Db }
  }
}

export interface MongoPluginOptions {
  url: string
  database: string
}

/** The MongoDB client: connected here, checked by /readyz, closed on close. */
async function mongo (app: FastifyInstance, opts: MongoPluginOptions) {
  // The driver reconnects by itself; a short server-selection timeout turns an outage
  // into a quick error the worker can back off from, instead of a 30 s hang.
  const client = new MongoClient(opts.url, { serverSelectionTimeoutMS: 5000, appName: 'watch-together' })
  try {
    await client.connect()
  } catch (err) {
    await client.close().catch(() => {})
    throw new Error(`MongoDB (${opts.url}) unreachable: ${(err as Error).message}`, { cause: err })
  }
  const db = client.db(opts.database)
  app.decorate('mongo', { client, db })
  app.readiness.add('mongo', () => db.command({ ping: 1 }))
  app.addHook('onClose', async () => { await client.close() })
}

export const mongoPlugin = fp(mongo, { name: 'mongo', dependencies: ['watch-together-basics'] })
