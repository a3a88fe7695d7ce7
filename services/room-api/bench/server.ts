// One benchmark target in its own process, so the load generator never shares its event loop:
//   tsx bench/server.ts room-api SCHEMA   → the real room-api app
//   tsx bench/server.ts bare SCHEMA       → a bare Fastify route doing one equivalent pg insert
// Sends {port: N} to the parent (IPC) once listening; exits on SIGTERM.
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

// BENCH_DIAG=1: statements sent, by prepared-statement name or text (counted in the client:
// the local stack does not load pg_stat_statements), and event-loop delay, printed on exit.
if (process.env.BENCH_DIAG) {
  const { monitorEventLoopDelay } = await import('node:perf_hooks')
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const counts = new Map<string, number>()
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown
  ;(pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { name?: string, text?: string }
    const key = typeof q === 'string' ? q : (q.name ?? q.text ?? '?')
    const k = key.replace(/\s+/g, ' ').slice(0, 70)
    counts.set(k, (counts.get(k) ?? 0) + 1)
    return original.apply(this, args)
  }
  process.on('SIGTERM', () => {
    const ms = (n: number) => (n / 1e6).toFixed(1)
    process.stderr.write(`event loop delay ms: p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} max ${ms(delay.max)}\n`)
    for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) process.stderr.write(`${String(n).padStart(8)}  ${k}\n`)
  })
}

const [mode, schema] = process.argv.slice(2)
if ((mode !== 'room-api' && mode !== 'bare') || !schema || !/^[a-z_][a-z0-9_]*$/.test(schema)) {
  process.stderr.write('usage: server.ts room-api|bare SCHEMA\n')
  process.exit(2)
}
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://watch:watch@127.0.0.1:5432/watch_together'
const poolMax = process.env.BENCH_PG_POOL_MAX ?? '20'

async function bare () {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolMax), options: `-c search_path=${schema}` })
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  await pool.query('CREATE TABLE IF NOT EXISTS bench_bare (id uuid PRIMARY KEY, owner_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())')
  const app = Fastify({ logger: false })
  app.post('/bare', async () => {
    const id = randomUUID()
    await pool.query('INSERT INTO bench_bare (id, owner_id) VALUES ($1, $2)', [id, randomUUID()])
    return { success: true, errors: [], id }
  })
  app.addHook('onClose', async () => { await pool.end() })
  return app
}

const app = mode === 'bare'
  ? await bare()
  : await buildApp(readConfig({
    ...process.env,
    NODE_ENV: 'test',
    // The production log level: one JSON line per request, written to /dev/null (run.ts).
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    PG_SCHEMA: schema,
    PG_POOL_MAX: poolMax,
    KAFKA_CONSUME: 'false',
    KAFKA_TOPIC_PARTITIONS: '3',
    RATE_LIMIT_CREATE_MAX: '1000000',
    DEV_SIGN_IN: 'false'
  }))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
