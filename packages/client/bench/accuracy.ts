// The accuracy harness (a command, not a test): K simulated viewers, each with its own clock
// offset, network path and media clock, against the real realtime service started in-process.
// Usage: pnpm --filter @watch-together/client accuracy [--seconds 60] [--clients 6] [--seed 1]
//        [--only NAME] [--dead-zone MS] [--markdown]
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { DriftOptions } from '@watch-together/sync-core'
import { startApp, testConfig } from '../../../services/realtime/test/helpers.js'
import { runScenario, type Scenario, type ScenarioResult } from './scenario.js'
import { seeded } from './stats.js'

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    'dead-zone': { type: 'string' },
    markdown: { type: 'boolean', default: false }
  }
})
const seconds = Number(args.seconds)
const clients = Number(args.clients)
const drift: DriftOptions | undefined = args['dead-zone'] ? { deadZoneMs: Number(args['dead-zone']), settleMs: Number(args['dead-zone']) / 2.5 } : undefined

const scenarios: Scenario[] = [
  { name: 'steady (one play, then drift only)', clients, seconds, actionEveryMs: 0, dropEveryMs: 0, asymmetric: false, jitterMs: 30, drift },
  { name: 'busy (play/pause/seek/item every ~4 s)', clients, seconds, actionEveryMs: 4000, dropEveryMs: 0, asymmetric: false, jitterMs: 30, drift },
  { name: 'busy + drops (each client ~1 per 15 s)', clients, seconds, actionEveryMs: 4000, dropEveryMs: 15_000, asymmetric: false, jitterMs: 30, drift },
  { name: 'asymmetric paths (up ≠ down)', clients, seconds, actionEveryMs: 4000, dropEveryMs: 0, asymmetric: true, jitterMs: 30, drift }
].filter((s) => !args.only || s.name.startsWith(args.only))

const teardowns: Array<() => unknown> = []
const { base } = await startApp({ teardown: (fn) => teardowns.push(fn) }, testConfig({ LOG_LEVEL: 'error' }), { consumeLifecycle: false })
const random = seeded(Number(args.seed))
const results: ScenarioResult[] = []
for (const scenario of scenarios) {
  process.stderr.write(`running: ${scenario.name} (${scenario.clients} clients, ${scenario.seconds} s)\n`)
  results.push(await runScenario(base, scenario, random))
}
for (const fn of teardowns.reverse()) await fn()

const ms = (v: number) => Number.isNaN(v) ? '–' : v.toFixed(1)
const s = (v: number) => Number.isNaN(v) ? '–' : (v / 1000).toFixed(2)
const rate = (v: number) => v.toFixed(2)
const header = ['scenario', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'converge p50/p95/max s (n)', 'room p95 s',
  'after reconnect p50/p95 s (n)', 'not conv.', 'corr. seeks/min', 'rate changes/min', 'seeks in dead zone', 'drops']
const rows = results.map((r) => [
  r.scenario.name, String(r.samples), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max),
  `${s(r.convergeP50)} / ${s(r.convergeP95)} / ${s(r.convergeMax)} (${r.convergeCount})`, s(r.roomConvergeP95),
  `${s(r.reconnectP50)} / ${s(r.reconnectP95)} (${r.reconnectCount})`,
  String(r.notConverged), rate(r.correctiveSeeksPerMin), rate(r.rateChangesPerMin), String(r.seeksInsideDeadZone), String(r.drops)
])
if (args.markdown) {
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`)
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)
} else {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join('  ')
  console.log(line(header))
  for (const row of rows) console.log(line(row))
}
for (const r of results.filter((r) => r.scenario.asymmetric)) {
  console.log(`\n${r.scenario.name}: median physical bound |up − down| / 2 = ${ms(r.boundP50)} ms; ` +
    `settled |error| p50 ${ms(r.p50)} ms; ${(100 * r.withinBoundShare).toFixed(1)} % of samples within their client's bound + 20 ms`)
}
console.log('\nrates per client per minute; errors are |shown − ideal| sampled every 50 ms while the room plays, from 1 s after each command; ' +
  'converge = per client and command (n pairs), from the command (a member\'s action: when the member acts) until the client stays within ' +
  '20 ms (+ its bound) till the next command, paused and waiting samples included; room = the slowest client per command; ' +
  `clients disconnected meanwhile are in "after reconnect"; follow seeks/min: ${results.map((r) => rate(r.followSeeksPerMin)).join(', ')}`)

// For `pnpm bench` (infra/bench): the symmetric scenarios' error figures, with the asymmetric
// scenario's physical bound as the yardstick no clock sync can beat.
if (process.env.BENCH_JSON) {
  const symmetric = results.filter((r) => !r.scenario.asymmetric)
  const errorsMs = symmetric.flatMap((r) => r.settledErrors).sort((a, b) => a - b)
  const at = (p: number) => errorsMs.length ? errorsMs[Math.min(errorsMs.length - 1, Math.floor(p / 100 * errorsMs.length))] : undefined
  const asym = results.find((r) => r.scenario.asymmetric)
  writeFileSync(process.env.BENCH_JSON, JSON.stringify({
    errorsMs: errorsMs.filter((_e, i) => i % Math.max(1, Math.floor(errorsMs.length / 5000)) === 0),
    p50: at(50),
    p95: at(95),
    p99: at(99),
    asymmetricP50: asym?.p50,
    physicalBoundP50: asym?.boundP50,
    scenarios: results.map(({ settledErrors: _e, ...r }) => r)
  }))
}
