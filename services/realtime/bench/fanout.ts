// Fan-out benchmark, side by side: realtime against Centrifugo (Redis broker) and socket.io (Redis adapter),
// with a bare ws relay as the floor; the same load against each, interleaved and repeated, medians per system.
//   pnpm --filter @watch-together/realtime bench
// Knobs: BENCH_CONNECTIONS (list, 1000,5000,10000) at BENCH_RATE msg/s per room (1), then a rate ladder at
// BENCH_LADDER_CONNECTIONS (5000): BENCH_LADDER (3,5,8) until a system's p99 > 250 ms or < 99 % delivered;
// BENCH_ROUNDS (2), BENCH_SECONDS (10), BENCH_WARMUP_MS (3000), BENCH_SYSTEMS (realtime,realtime2,centrifugo,socketio,ws;
// realtime2 = two instances; realtime-cluster, not by default, = one instance on the Redis Cluster of REDIS_CLUSTER_NODES),
// BENCH_PORT_BASE (servers listen on the first free of ten ports from there; default any free port),
// BENCH_PROFILE=1 (a CPU profile of realtime per run, in BENCH_PROFILE_DIR), BENCH_JSON=path (figures as JSON).
import { appendFileSync, writeFileSync } from 'node:fs'
import { measure, ROOM_SIZE, type RunResult } from './load.js'
import { centrifugoBinary, REALTIME_SYSTEMS, start, type SystemName } from './systems.js'

const list = (v: string | undefined, d: string) => (v ?? d).split(',').map((s) => s.trim()).filter(Boolean)
const CONNECTIONS = list(process.env.BENCH_CONNECTIONS, '1000,5000,10000').map(Number)
const RATE = Number(process.env.BENCH_RATE ?? 1)
const LADDER_AT = Number(process.env.BENCH_LADDER_CONNECTIONS ?? 5000)
const LADDER = list(process.env.BENCH_LADDER, '3,5,8').map(Number)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000)
const SYSTEMS = list(process.env.BENCH_SYSTEMS, 'realtime,realtime2,centrifugo,socketio,ws') as SystemName[]
/** Realtime's own rows (one process, two instances, on the cluster, an older build) and the peers they are compared with. */
const MINE: SystemName[] = SYSTEMS.filter((s) => REALTIME_SYSTEMS.includes(s))
const PEERS = SYSTEMS.filter((s) => !MINE.includes(s))

interface Scenario { connections: number, rate: number, ladder: boolean }
const scenarios: Scenario[] = [
  ...CONNECTIONS.map((connections) => ({ connections, rate: RATE, ladder: false })),
  ...LADDER.map((rate) => ({ connections: LADDER_AT, rate, ladder: true }))
]

if (SYSTEMS.includes('centrifugo')) centrifugoBinary()
const results = new Map<string, RunResult[]>()
const key = (s: Scenario, system: SystemName) => `${s.connections}@${s.rate}:${system}`
/** Systems that failed a ladder step (p99 > 250 ms or < 99 % delivered) skip the higher steps. */
const saturated = new Set<SystemName>()

for (let round = 0; round < ROUNDS; round++) {
  for (const scenario of scenarios) {
    // Interleaved: each round and scenario starts with a different system, so drift in the machine's
    // load (other work on the shared cores) falls on all of them alike.
    const shift = (round + scenarios.indexOf(scenario)) % SYSTEMS.length
    const order = [...SYSTEMS.slice(shift), ...SYSTEMS.slice(0, shift)]
    for (const name of order) {
      if (scenario.ladder && saturated.has(name) && round === 0) continue
      if (scenario.ladder && round > 0 && !results.has(key(scenario, name))) continue
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${name}, ${scenario.connections} connections × ${scenario.rate} msg/s per room … `)
      const system = await start(name, Boolean(process.env.BENCH_PROFILE) && MINE.includes(name) && name !== 'before')
      try {
        const r = await measure(system, { connections: scenario.connections, rate: scenario.rate, seconds: SECONDS, warmupMs: WARMUP_MS })
        results.set(key(scenario, name), [...(results.get(key(scenario, name)) ?? []), r])
        // Each run as it ends (BENCH_JSON + 'l'), so an interrupted bench keeps what it measured.
        if (process.env.BENCH_JSON) appendFileSync(`${process.env.BENCH_JSON}l`, JSON.stringify({ round, ...r }) + '\n')
        process.stderr.write(`${r.deliveriesPerSec.toFixed(0)}/s, ${r.deliveredPct.toFixed(1)} %, p99 ${r.p99.toFixed(1)} ms\n`)
        if (scenario.ladder && (r.p99 > 250 || r.deliveredPct < 99)) saturated.add(name)
      } catch (err) {
        process.stderr.write(`failed: ${(err as Error).message}\n`)
      } finally {
        await system.stop()
      }
    }
  }
}

/** The median of each figure over the rounds (figure by figure). */
function median (runs: RunResult[]): RunResult {
  const mid = <K extends keyof RunResult>(k: K) => {
    const v = runs.map((r) => r[k] as number).filter(Number.isFinite).sort((a, b) => a - b)
    return v.length ? (v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2) : NaN
  }
  const numeric = ['connectMs', 'connectCpuPer1k', 'sent', 'expected', 'delivered', 'deliveredPct', 'deliveriesPerSec', 'p50', 'p95', 'p99', 'max', 'cpuPer1k', 'redisCpuPer1k', 'kafkaCpuPer1k', 'rssPerConnKiB', 'refused'] as const
  const out = { ...runs[0]! }
  for (const k of numeric) (out as Record<string, unknown>)[k] = mid(k)
  const loops = runs.map((r) => r.loop).filter((l) => l !== null)
  out.loop = loops.length ? { p99: Math.max(...loops.map((l) => l.p99)), max: Math.max(...loops.map((l) => l.max)), mean: loops.reduce((s, l) => s + l.mean, 0) / loops.length } : null
  return out
}

const fmt = (v: number, d = 0) => Number.isFinite(v) ? v.toFixed(d) : '—'
const lines: string[] = []
lines.push(`Rooms of ${ROOM_SIZE}, one sender per room, ~100-byte frames (realtime: chat.send and player.seek in turn), ${SECONDS} s windows, ` +
  `${ROUNDS} interleaved rounds, medians; latency from send to each member's receipt; CPU per 1,000 deliveries over the window.`)
lines.push('')
lines.push('| connections | offered/s | system | deliveries/s | delivered % | p50 ms | p95 ms | p99 ms | max ms | connect N s | connect CPU s/1k conns | CPU s/1k | Redis CPU s/1k | Kafka CPU s/1k | RSS KiB/conn |')
lines.push('|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
const summary: Array<{ connections: number, rate: number, systems: Partial<Record<SystemName, RunResult>>, rounds: Partial<Record<SystemName, RunResult[]>> }> = []
for (const scenario of scenarios) {
  const systems: Partial<Record<SystemName, RunResult>> = {}
  const rounds: Partial<Record<SystemName, RunResult[]>> = {}
  for (const name of SYSTEMS) {
    const runs = results.get(key(scenario, name))
    if (!runs?.length) continue
    rounds[name] = runs
    const m = systems[name] = median(runs)
    lines.push(`| ${scenario.connections} | ${scenario.connections * scenario.rate} | ${name} | ${fmt(m.deliveriesPerSec)} | ${fmt(m.deliveredPct, 1)} | ${fmt(m.p50, 1)} | ${fmt(m.p95, 1)} | ${fmt(m.p99, 1)} | ${fmt(m.max)} | ${fmt(m.connectMs / 1000, 1)} | ${fmt(m.connectCpuPer1k, 2)} | ${fmt(m.cpuPer1k, 3)} | ${fmt(m.redisCpuPer1k, 3)} | ${MINE.includes(name) ? fmt(m.kafkaCpuPer1k, 3) : '—'} | ${fmt(m.rssPerConnKiB, 1)} |`)
  }
  summary.push({ connections: scenario.connections, rate: scenario.rate, systems, rounds })
}
lines.push('')
lines.push('Ratios realtime / peer (per round, then the median of the per-round ratios; < 1 is better for realtime, except deliveries/s):')
lines.push('')
lines.push('| connections | offered/s | system | peer | deliveries/s | p50 | p99 | connect N | connect CPU | CPU/1k | Redis CPU/1k | RSS/conn |')
lines.push('|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
const med = (v: number[]) => { const s = v.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN }
/** Each of realtime's rows against each peer, and the cluster against one Redis (the cost of cluster mode). */
const PAIRS: Array<[SystemName, SystemName]> = [
  ...MINE.flatMap((own) => PEERS.map((peer): [SystemName, SystemName] => [own, peer])),
  ...(SYSTEMS.includes('realtime-cluster') && SYSTEMS.includes('realtime') ? [['realtime-cluster', 'realtime'] as [SystemName, SystemName]] : [])
]
for (const row of summary) {
  for (const [own, peer] of PAIRS) {
    const mine = row.rounds[own]
    const theirs = row.rounds[peer]
    if (!mine || !theirs) continue
    const n = Math.min(mine.length, theirs.length)
    const per = (k: keyof RunResult) => med(Array.from({ length: n }, (_, i) => (mine[i]![k] as number) / (theirs[i]![k] as number)))
    lines.push(`| ${row.connections} | ${row.connections * row.rate} | ${own} | ${peer} | ${fmt(per('deliveriesPerSec'), 2)} | ${fmt(per('p50'), 2)} | ${fmt(per('p99'), 2)} | ${fmt(per('connectMs'), 2)} | ${fmt(per('connectCpuPer1k'), 2)} | ${fmt(per('cpuPer1k'), 2)} | ${fmt(per('redisCpuPer1k'), 2)} | ${fmt(per('rssPerConnKiB'), 2)} |`)
  }
}
const loops = summary.flatMap((row) => Object.values(row.systems).filter((r) => r.loop).map((r) => `${r.system} ${row.connections}×${row.rate}: loop delay p99 ${fmt(r.loop!.p99, 1)} ms, max ${fmt(r.loop!.max, 1)} ms`))
if (loops.length) lines.push('', 'Event-loop delay of the Node servers over the window (worst round):', '', ...loops.map((l) => `- ${l}`))
console.log(`\n${lines.join('\n')}\n\n(measured ${new Date().toISOString()}; clients, servers, Redis and Kafka share this machine's cores with other work: compare ratios, not absolute figures)`)
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, roomSize: ROOM_SIZE, scenarios: summary }, null, 2))
process.exit(0)
