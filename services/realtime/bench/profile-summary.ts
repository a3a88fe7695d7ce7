// Summarises a V8 CPU profile (BENCH_PROFILE=1 writes one per realtime run): self time by area of the code
// (the same buckets as the breakdown in the README), and the top functions.
//   pnpm --filter @watch-together/realtime exec tsx bench/profile-summary.ts /tmp/rt-prof/<file>.cpuprofile [FROM_S TO_S]
// FROM_S/TO_S: only the samples between those seconds of the profile (e.g. the connect phase, or the measured window;
// the busy share per second, printed first, shows where each is).
import { readFileSync } from 'node:fs'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number, children?: number[] }
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map<number, number>()
const from = Number(process.argv[3] ?? 0) * 1e6
const to = Number(process.argv[4] ?? Infinity) * 1e6
const busy: Array<[number, number]> = []
let at = 0
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0
  at += us
  const second = (busy[Math.floor(at / 1e6)] ??= [0, 0])
  second[1] += us
  if (byId.get(id)!.callFrame.functionName !== '(idle)') second[0] += us
  if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + us)
})
console.log(`busy % per second: ${busy.map(([b, t], s) => `${s}:${t ? Math.round(b / t * 100) : '-'}`).join(' ')}`)
const total = [...self.values()].reduce((a, b) => a + b, 0)

const AREAS: Array<[string, RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['GC', /^\(garbage collector\)$/],
  ['socket writes (native)', /^(writev|writeUtf8String|writeBuffer|writeLatin1String) $/],
  ['per-command timeout signals (node-redis)', /node:internal\/abort_controller|^DOMException |node:internal\/event_target/],
  ['kafkajs (outbox send, consumer)', /kafkajs/],
  ['node-redis client', /@redis\/client|node_modules\/redis/],
  ['ws (frames, socket writes)', /node_modules\/.*\/ws\//],
  ['fastify / websocket plugin', /fastify/],
  ['zod (frame and event checks)', /zod/],
  ['prom-client', /prom-client/],
  ['pino (logs)', /pino/],
  ['realtime src', /services\/realtime\/src/],
  ['protocol / sync-core / kafka packages', /packages\/(protocol|sync-core|kafka|service-kit)/],
  ['node internals (net, streams, timers, zlib)', /(^| )node:| $/]
]
const areas = new Map<string, number>()
const fns = new Map<string, number>()
for (const [id, us] of self) {
  const node = byId.get(id)!
  const { functionName, url, lineNumber } = node.callFrame
  const area = AREAS.find(([, re]) => re.test(functionName.startsWith('(') ? functionName : `${functionName} ${url}`))?.[0] ?? 'other'
  areas.set(area, (areas.get(area) ?? 0) + us)
  const name = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/services\//, 'services/')}:${lineNumber + 1}`
  fns.set(name, (fns.get(name) ?? 0) + us)
}
const pct = (us: number) => `${(us / total * 100).toFixed(1)} %`
console.log(`profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s${from > 0 || to < Infinity ? ` (self time from ${from / 1e6} s to ${Math.min(to, at) / 1e6} s)` : ''}\n\n| area | self time |\n|---|---:|`)
for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1])) console.log(`| ${area} | ${pct(us)} |`)
console.log('\ntop functions (self):')
for (const [name, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${pct(us).padStart(7)}  ${name}`)
