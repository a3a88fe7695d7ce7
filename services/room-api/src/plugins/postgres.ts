import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pg from 'pg'

declare module 'fastify' {
  interface FastifyInstance {
    pg: pg.Pool
  }
}

export interface PostgresPluginOptions {
  connectionString: string
  max: number
  /** Every pooled connection starts with this search_path (validated as an identifier by config). */
  schema: string
}

/** The PostgreSQL pool: created here, checked by /readyz, ended on close. */
async function postgres (app: FastifyInstance, opts: PostgresPluginOptions) {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max,
    options: `-c search_path=${opts.schema}`,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000
  })
  // An idle client losing its connection (server restart) emits 'error' on the pool;
  // unhandled, that would crash the process. The pool replaces the client by itself.
  pool.on('error', (err) => app.log.warn({ err }, 'postgres idle client error'))
  // A checked-out client (a transaction waiting on Kafka, say) that loses its connection emits
  // 'error' on itself, where the pool's handler is not attached: without this listener the
  // process would crash. The pending query rejects and the code holding the client handles it.
  pool.on('connect', (client) => {
    client.on('error', (err) => app.log.warn({ err }, 'postgres client error'))
  })
  app.decorate('pg', pool)
  app.readiness.add('postgres', () => pool.query('select 1'))
  app.addHook('onClose', async () => { await pool.end() })
}

export const postgresPlugin = fp(postgres, { name: 'postgres', dependencies: ['watch-together-basics'] })
