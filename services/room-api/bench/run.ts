// `pnpm --filter @watch-together/room-api bench`: create room + join + ticket under 100 concurrent
// clients against the real app, and a bare Fastify route doing one pg insert, in the same run.
// Traffic goes to 127.0.0.1 only. Knobs: BENCH_CONNECTIONS (100), BENCH_DURATION_S (10),
// BENCH_PG_POOL_MAX (20, both sides); for profiling BENCH_ONLY, BENCH_NODE_ARGS, BENCH_DIAG (README).
// The matches run (BENCH_ONLY=matches or BENCH_MATCHES=1): BENCH_MATCH_FRIENDS, _LIST, _CATALOG, _CONNECTIONS (matches.ts).
import { type ChildProcess, spawn } from 'node:child_process'
import { createHmac, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { DEV_JWT_SECRET } from '../src/config.js'
import { cpuMs, parentOf } from './cpu.js'
import { matchesFlow, matchScale, seedMatches } from './matches.js'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 100)
const duration = Number(process.env.BENCH_DURATION_S ?? 10)
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://watch:watch@127.0.0.1:5432/watch_together'
const secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET
const schema = `room_api_bench_${Date.now().toString(36)}`
const here = fileURLToPath(new URL('.', import.meta.url))

/** A user token signed synchronously (autocannon's request hooks are synchronous). */
function token (name: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: randomUUID(), name, iat: now, exp: now + 3600 })}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}

async function startServer (mode: 'room-api' | 'bare'): Promise<{ port: number, child: ChildProcess }> {
  // The server's own stdout (its JSON log lines, at the production level) goes to /dev/null: the
  // server pays for writing its logs as it would in production, the load generator never reads them.
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `${here}server.ts`, mode, schema], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: process.env })
  const [message] = await Promise.race([
    once(child, 'message') as Promise<[{ port: number }]>,
    once(child, 'exit').then(([code]) => { throw new Error(`${mode} server exited with ${code}`) })
  ])
  return { port: message.port, child }
}

async function stop (child: ChildProcess) {
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** CPU ms per request spent by each process the run depends on (see cpu.ts). */
interface CpuPerRequest { server: number, postgres: number, kafka: number, loadGenerator: number }
interface Row { name: string, rps: number, p50: number, p99: number, errors: number, non2xx: number, requests: number, cpuMsPerRequest: CpuPerRequest }

const postmaster = await postmasterPid()
const kafkaPid = readPid(fileURLToPath(new URL('../../../.stack/run/kafka.pid', import.meta.url)))

function cpuNow (server: ChildProcess): CpuPerRequest {
  return { server: cpuMs(server.pid), postgres: cpuMs(postmaster, true), kafka: cpuMs(kafkaPid), loadGenerator: cpuMs(process.pid) }
}

async function load (name: string, server: ChildProcess, opts: autocannon.Options): Promise<Row> {
  // Warm up (JIT, pool connections) before measuring.
  await autocannon({ ...opts, duration: 2 })
  const before = cpuNow(server)
  const r = await autocannon({ ...opts, duration })
  const after = cpuNow(server)
  const requests = r.requests.total
  const per = (k: keyof CpuPerRequest) => Number(((after[k] - before[k]) / Math.max(requests, 1)).toFixed(3))
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests,
    cpuMsPerRequest: { server: per('server'), postgres: per('postgres'), kafka: per('kafka'), loadGenerator: per('loadGenerator') }
  }
}

/** The postmaster is the parent of our own backend. */
async function postmasterPid (): Promise<number | undefined> {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    return rows[0] ? parentOf(rows[0].pid) : undefined
  } finally { await db.end() }
}

function readPid (path: string): number | undefined {
  try { return Number(readFileSync(path, 'utf8').trim()) || undefined } catch { return undefined }
}

/** Tokens minted before the run, so the load generator spends its CPU on requests, not signing. */
function tokenPool (name: string, count: number) {
  const tokens = Array.from({ length: count }, () => token(name))
  let next = 0
  return () => tokens[next++ % tokens.length] as string
}

/** What one autocannon connection carries from request to request of the flow. */
interface FlowContext { guest?: string, roomId?: string | undefined }

function roomFlow (port: number): autocannon.Options {
  // Each connection loops: a fresh owner creates a room, a fresh guest joins it and takes a ticket.
  // Owners must be fresh (one active room each), so the pool is sized well above the expected creates.
  const owner = tokenPool('Owner', 100_000)
  const guest = tokenPool('Guest', 100_000)
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/rooms',
        setupRequest: (req, context: FlowContext) => {
          context.guest = guest()
          return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${owner()}` }, body: '{"filmId":"sintel"}' }
        },
        // The room id is the first "id" in the body; a full JSON.parse per request would load the client.
        onResponse: (_status, body, context: FlowContext) => { context.roomId = /"id":"([^"]+)"/.exec(body)?.[1] }
      },
      {
        method: 'POST',
        setupRequest: (req, context: FlowContext) => ({ ...req, path: `/api/v1/rooms/${context.roomId}/join`, headers: { authorization: `Bearer ${context.guest}` } })
      },
      {
        method: 'POST',
        setupRequest: (req, context: FlowContext) => ({ ...req, path: `/api/v1/rooms/${context.roomId}/ticket`, headers: { authorization: `Bearer ${context.guest}` } })
      }
    ]
  }
}

const rows: Row[] = []
let failed = false
// BENCH_ONLY=bare|room-api runs one side (for profiling); the ratio needs both. The matches run
// (10 million watchlist rows to seed, minutes) is BENCH_ONLY=matches, or BENCH_MATCHES=1 after the others.
const only = process.env.BENCH_ONLY
const withMatches = only === 'matches' || process.env.BENCH_MATCHES === '1'
try {
  if (only !== 'room-api' && only !== 'matches') {
    const bare = await startServer('bare')
    try {
      rows.push(await load('bare route: 1 pg insert', bare.child, {
        url: `http://127.0.0.1:${bare.port}/bare`, method: 'POST', connections, headers: { 'content-type': 'application/json' }, body: '{}'
      }))
    } finally { await stop(bare.child) }
  }
  if (only !== 'bare' && only !== 'matches') {
    const api = await startServer('room-api')
    try {
      rows.push(await load('room-api: create + join + ticket', api.child, roomFlow(api.port)))
    } finally { await stop(api.child) }
  }
  if (withMatches) {
    const api = await startServer('room-api')
    try {
      const scale = matchScale()
      const seeded = await seedMatches(databaseUrl, schema, scale)
      process.stdout.write(`matches: seeded ${seeded.watchlistRows} watchlist rows (${scale.friends} friends, catalog ${scale.catalog}) in ${seeded.seconds.toFixed(0)} s; ` +
        `${seeded.sharedPairs} (film, friend) pairs shared with the user\n`)
      const matchConnections = Number(process.env.BENCH_MATCH_CONNECTIONS ?? 10)
      rows.push(await load(`room-api: GET /me/matches, ${scale.friends} friends × ~${scale.list} films (${matchConnections} clients)`, api.child, matchesFlow(api.port, secret, matchConnections)))
    } finally { await stop(api.child) }
  }
} catch (err) {
  failed = true
  process.stderr.write(`benchmark failed: ${(err as Error).stack}\n`)
} finally {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  if (process.env.BENCH_DIAG) {
    // Row and index churn per table (HOT = updates that wrote no index entry).
    await new Promise((resolve) => setTimeout(resolve, 1500)) // statistics are flushed within a second
    const { rows: tables } = await db.query(`SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables
      WHERE schemaname = $1 ORDER BY relname`, [schema])
    process.stderr.write(`${JSON.stringify(tables)}\n`)
  }
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.end()
}

{
  process.stdout.write(`\n${connections} concurrent clients (the matches run: BENCH_MATCH_CONNECTIONS), ${duration} s each, 127.0.0.1; CPU = ms of CPU time per request\n\n`)
  process.stdout.write('| target | requests/s | p50 ms | p99 ms | errors | non-2xx | CPU server | CPU postgres | CPU kafka | CPU autocannon |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n')
  for (const r of rows) {
    const c = r.cpuMsPerRequest
    process.stdout.write(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${c.server} | ${c.postgres} | ${c.kafka} | ${c.loadGenerator} |\n`)
  }
  const [base, api] = rows
  if (base && api) {
    process.stdout.write(`\nratio room-api / bare (requests/s): ${(api.rps / base.rps).toFixed(2)}  (goal ≥ 0.5; p99 goal < 50 ms)\n`)
    // Less sensitive to what else the machine runs at that moment: when every process shares the
    // same cores, the throughput ratio tends to the ratio of total CPU time per request.
    const total = (c: CpuPerRequest) => c.server + c.postgres + c.kafka + c.loadGenerator
    process.stdout.write(`CPU ms per request, all processes: bare ${total(base.cpuMsPerRequest).toFixed(3)}, room-api ${total(api.cpuMsPerRequest).toFixed(3)} → CPU-bound ratio ${(total(base.cpuMsPerRequest) / total(api.cpuMsPerRequest)).toFixed(2)}\n`)
  }
  // BENCH_JSON=path: the same figures as JSON, for infra/bench (pnpm bench).
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ connections, duration, rows }, null, 2))
}
process.exit(failed ? 1 : 0)
