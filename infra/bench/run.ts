// `pnpm bench`: every service benchmark against the local stack (127.0.0.1 only), one markdown table
// (metric, value, baseline measured in the same run, ratio), the same as JSON, and PNG plots drawn with gnuplot
// (Debian: apt-get install gnuplot-nox). Knobs: BENCH_FANOUT_CONNECTIONS (1000,5000,10000),
// BENCH_SECONDS (realtime window, 10), BENCH_ROUNDS (2), BENCH_ETL_EVENTS (20000). Needs `source ./.helper-env` (or the stack's
// default ports) and a build. The sync accuracy harness is included when packages/client has a `bench` script.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { plot } from './plots.js'

const ROOT = resolve(import.meta.dirname, '../..')
const OUT = resolve(ROOT, 'infra/bench/results')
const PLOTS = resolve(ROOT, 'docs/benchmarks')
const FANOUT = (process.env.BENCH_FANOUT_CONNECTIONS ?? '1000,5000,10000').split(',').map(Number)
mkdirSync(OUT, { recursive: true })
mkdirSync(PLOTS, { recursive: true })

interface Row { metric: string, value: number, baseline: number | null, unit: string, baselineName: string }
const rows: Row[] = []
const notes: string[] = []
const raw: Record<string, unknown> = {}

/** Runs one package's bench script with BENCH_JSON set; returns the parsed JSON or null (noted) on failure. */
function bench<T> (name: string, filter: string, args: string[], env: Record<string, string>): T | null {
  const json = resolve(OUT, `${name}.json`)
  process.stderr.write(`\n== ${name}\n`)
  const res = spawnSync('pnpm', ['--filter', filter, 'bench', ...args], {
    cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env, BENCH_JSON: json }, timeout: 900_000
  })
  if (res.status !== 0 || !existsSync(json)) { notes.push(`${name}: failed (exit ${res.status})`); return null }
  const data = JSON.parse(readFileSync(json, 'utf8')) as T
  raw[name] = data
  return data
}

// room-api: create + join + ticket vs a bare route doing one insert.
interface ApiRow { name: string, rps: number, p50: number, p99: number }
const api = bench<{ connections: number, rows: ApiRow[] }>('room-api', '@watch-together/room-api', [], {})
if (api) {
  const [bare, flow] = api.rows as [ApiRow, ApiRow]
  rows.push({ metric: `room-api create+join+ticket req/s (${api.connections} clients)`, value: flow.rps, baseline: bare.rps, unit: 'req/s', baselineName: 'bare Fastify route, 1 pg insert' })
  rows.push({ metric: 'room-api p99 latency', value: flow.p99, baseline: bare.p99, unit: 'ms', baselineName: 'bare route p99' })
}

// realtime: fan-out side by side with Centrifugo and socket.io (and the bare ws floor), interleaved rounds.
interface RtResult { system: string, deliveriesPerSec: number, deliveredPct: number, p50: number, p99: number, connectMs: number, cpuPer1k: number, rssPerConnKiB: number }
interface RtScenario { connections: number, rate: number, systems: Record<string, RtResult | undefined> }
const fanout: Array<{ connections: number, ws: RtResult, realtime: RtResult }> = []
const rt = bench<{ scenarios: RtScenario[] }>('realtime', '@watch-together/realtime', [], {
  BENCH_CONNECTIONS: FANOUT.join(','), BENCH_SECONDS: process.env.BENCH_SECONDS ?? '10', BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? '2'
})
for (const s of rt?.scenarios ?? []) {
  const { realtime: me, centrifugo: cf, socketio: sio, ws } = s.systems
  if (!me) continue
  const at = `realtime ${s.connections} conns × ${s.rate}/s per room`
  if (ws && s.rate === Number(process.env.BENCH_RATE ?? 1)) fanout.push({ connections: s.connections, ws, realtime: me })
  for (const [peer, name] of [[cf, 'Centrifugo 6.9.1, Redis broker'], [sio, 'socket.io 4.8, Redis adapter']] as const) {
    if (!peer) continue
    rows.push({ metric: `${at}: deliveries/s`, value: me.deliveriesPerSec, baseline: peer.deliveriesPerSec, unit: '/s', baselineName: name })
    rows.push({ metric: `${at}: fan-out p99`, value: me.p99, baseline: peer.p99, unit: 'ms', baselineName: name })
    rows.push({ metric: `${at}: connect time for N`, value: me.connectMs, baseline: peer.connectMs, unit: 'ms', baselineName: name })
    rows.push({ metric: `${at}: CPU per 1k deliveries`, value: me.cpuPer1k * 1000, baseline: peer.cpuPer1k * 1000, unit: 'ms', baselineName: name })
  }
  if (ws) rows.push({ metric: `${at}: fan-out p99`, value: me.p99, baseline: ws.p99, unit: 'ms', baselineName: 'bare ws relay (floor)' })
}

// etl-worker: archive throughput and lag vs a bare insertMany loop.
interface Lag { events: number, p50: number, p95: number, max: number }
const etl = bench<{ events: number, rounds: Array<{ workerMs: number, bareMs: number }>, viaWorker: Lag, direct: Lag, samples: Array<[number, number]> }>(
  'etl-worker', '@watch-together/etl-worker', ['--events', process.env.BENCH_ETL_EVENTS ?? '20000'], {})
if (etl) {
  // The bench runs alternating rounds (worker first, bare loop first, ...); the row is the round
  // with the median ratio, as the bench's own headline.
  const rounds = [...etl.rounds].sort((a, b) => a.bareMs / a.workerMs - b.bareMs / b.workerMs)
  const median = rounds[Math.floor((rounds.length - 1) / 2)]!
  const perSec = (ms: number) => Math.round(etl.events / (ms / 1000))
  rows.push({ metric: `etl-worker archive throughput (median of ${rounds.length} rounds)`, value: perSec(median.workerMs), baseline: perSec(median.bareMs), unit: 'events/s', baselineName: 'bare insertMany loop' })
  rows.push({ metric: 'etl-worker lag p50 (Kafka → durable)', value: etl.viaWorker.p50, baseline: etl.direct.p50, unit: 'ms', baselineName: 'direct insertMany' })
  rows.push({ metric: 'etl-worker lag p95', value: etl.viaWorker.p95, baseline: etl.direct.p95, unit: 'ms', baselineName: 'direct insertMany' })
}

// The sync accuracy harness lives in packages/client (branch feat/client); run it when it is there.
const clientPkg = resolve(ROOT, 'packages/client/package.json')
const hasHarness = existsSync(clientPkg) && Boolean(JSON.parse(readFileSync(clientPkg, 'utf8')).scripts?.bench)
let syncErrors: number[] = []
if (hasHarness) {
  interface Accuracy {
    errorsMs?: number[]
    p50?: number
    p95?: number
    p99?: number
    baselineP50?: number
    baselineP95?: number
    asymmetricP50?: number
    physicalBoundP50?: number
    scenarios?: Array<{ scenario: { name: string, asymmetric?: boolean }, convergeP95?: number, seeksInsideDeadZone?: number }>
  }
  const acc = bench<Accuracy>('sync-accuracy', '@watch-together/client', [], {})
  if (acc?.p50 !== undefined) rows.push({ metric: 'sync error p50 (symmetric paths)', value: acc.p50, baseline: acc.baselineP50 ?? null, unit: 'ms', baselineName: 'none' })
  if (acc?.p95 !== undefined) rows.push({ metric: 'sync error p95 (symmetric paths)', value: acc.p95, baseline: acc.baselineP95 ?? null, unit: 'ms', baselineName: 'none' })
  if (acc?.p99 !== undefined) rows.push({ metric: 'sync error p99 (symmetric paths; goal ≤ 20 ms)', value: acc.p99, baseline: null, unit: 'ms', baselineName: 'none' })
  // Convergence after a command, per client (p95), in the worst symmetric scenario (goal ≤ 1 s).
  const converge = (acc?.scenarios ?? []).filter((r) => !r.scenario.asymmetric).map((r) => r.convergeP95).filter((v): v is number => Number.isFinite(v))
  if (converge.length) rows.push({ metric: 'sync convergence p95, worst symmetric scenario (goal ≤ 1000 ms)', value: Math.max(...converge), baseline: null, unit: 'ms', baselineName: 'none' })
  const deadZoneSeeks = (acc?.scenarios ?? []).reduce((n, r) => n + (r.seeksInsideDeadZone ?? 0), 0)
  if (acc?.scenarios) rows.push({ metric: 'sync corrective seeks inside the dead zone (goal 0)', value: deadZoneSeeks, baseline: null, unit: '', baselineName: 'none' })
  if (acc?.asymmetricP50 !== undefined) rows.push({ metric: 'sync error p50 (asymmetric paths)', value: acc.asymmetricP50, baseline: acc.physicalBoundP50 ?? null, unit: 'ms', baselineName: 'physical bound: half the up/down difference' })
  syncErrors = acc?.errorsMs ?? []
} else {
  notes.push('sync accuracy: skipped — the accuracy harness (packages/client, branch feat/client) is not on this branch yet')
}

const fmt = (v: number | null) => v === null || !Number.isFinite(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const table = [
  '| metric | value | baseline (same run) | ratio | baseline is |',
  '|---|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.metric} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${r.baseline !== null && r.baseline > 0 ? (r.value / r.baseline).toFixed(2) : '—'} | ${r.baselineName} |`)
].join('\n')
const plots = plot(PLOTS, OUT, { fanout, samples: etl?.samples ?? [], syncErrors })
const md = [`Benchmarks run ${new Date().toISOString()} on ${machine}; servers, services and load generators all on this machine.`, '', table, '',
  ...notes.map((n) => `- ${n}`), ...plots.map((p) => `- plot: ${p}`)].join('\n')
writeFileSync(resolve(OUT, 'latest.md'), md + '\n')
writeFileSync(resolve(OUT, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), machine, rows, notes, plots, raw }, null, 2) + '\n')
console.log(`\n${md}`)
