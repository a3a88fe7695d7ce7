// Fault drills: `pnpm drills [kafka etl-kill realtime-kill redis postgres mongo]` (all, in that order, by default).
// Each drill deploys room-api, two realtime instances and an etl-worker as child processes on a fresh topic,
// runs steady traffic from simulated rooms, injects its fault with `infra/local/stack down|up NAME` (or a
// signal), lets traffic run on, then counts what was produced, archived, duplicated and lost, what users saw
// (error frames, closes, reconnect times) and whether every service recovered by itself.
// Needs the stack (`source ./.helper-env && infra/local/stack up`) and a build (`pnpm turbo run build`).
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { countArchive, type ArchiveCounts } from './measure.js'
import { deploy, ROOT, sleep, stack, undeploy, type Deployment } from './services.js'
import { Traffic, type TrafficStats } from './traffic.js'

const ROOMS = Number(process.env.DRILL_ROOMS ?? 6)
const MEMBERS = Number(process.env.DRILL_MEMBERS ?? 3)

interface Drill { name: string, fault: string, act: (d: Deployment, probe: Probe) => Promise<void> }

/** Polls room-api and each service's /readyz every second: what an API client sees, and recovery. */
class Probe {
  apiFailures = 0
  notReady: Record<string, number> = {}
  private timer: NodeJS.Timeout | undefined
  constructor (readonly d: Deployment) {}
  start () {
    this.timer = setInterval(async () => {
      try { if (!(await fetch(`${this.d.roomApi.url}/api/v1/films?limit=1`)).ok) this.apiFailures++ } catch { this.apiFailures++ }
      for (const s of [this.d.roomApi, ...this.d.realtime, this.d.etl]) {
        try { if (!(await fetch(`${s.url}/readyz`)).ok) this.notReady[s.name] = (this.notReady[s.name] ?? 0) + 1 } catch {}
      }
    }, 1000)
  }

  stop () { clearInterval(this.timer) }
}

async function outage (name: string, seconds: number) {
  await stack('down', name)
  await sleep(seconds * 1000)
  await stack('up', name)
}

const DRILLS: Drill[] = [
  { name: 'kafka', fault: 'Kafka stopped 60 s', act: async () => outage('kafka', 60) },
  {
    name: 'etl-kill',
    fault: 'etl-worker SIGKILLed 5 times',
    act: async (d) => {
      for (let i = 0; i < 5; i++) {
        await sleep(3000)
        await d.etl.kill('SIGKILL')
        await sleep(1000)
        await d.etl.start()
      }
    }
  },
  {
    name: 'realtime-kill',
    fault: 'one of two realtime instances SIGKILLed',
    act: async (d) => { await d.realtime[0]!.kill('SIGKILL'); await sleep(15_000) }
  },
  { name: 'redis', fault: 'Redis restarted', act: async () => outage('redis', 2) },
  { name: 'postgres', fault: 'PostgreSQL stopped 30 s', act: async () => outage('postgres', 30) },
  { name: 'mongo', fault: 'MongoDB stopped 30 s', act: async () => outage('mongo', 30) }
]

interface DrillResult extends ArchiveCounts {
  drill: string
  fault: string
  traffic: TrafficStats
  chatUnacked: number
  etlRedeliveriesSkipped: number
  apiFailures: number
  notReadySeconds: Record<string, number>
  recovered: boolean
  error?: string
}

async function runDrill (drill: Drill): Promise<DrillResult> {
  const d = await deploy(drill.name)
  const traffic = new Traffic(d.roomApi.url, d.realtime.map((s) => s.url.replace('http', 'ws')))
  const probe = new Probe(d)
  let redeliveries = 0
  const etlBefore = async () => { const n = await d.etl.metric('etl_events_duplicate_total'); if (Number.isFinite(n)) redeliveries += n }
  try {
    await traffic.open(ROOMS, MEMBERS)
    traffic.start()
    probe.start()
    await sleep(5000)
    if (drill.name === 'etl-kill') {
      const kill = d.etl.kill.bind(d.etl)
      d.etl.kill = async (signal) => { await etlBefore(); return await kill(signal) }
    }
    console.error(`drill ${drill.name}: ${drill.fault}`)
    await drill.act(d, probe)
    await sleep(10_000) // traffic continues after the fault
    await traffic.stop()
    const archive = await countArchive(d.names.mongoDb, traffic.maxSeqs(), traffic.ackedMessageIds())
    await etlBefore()
    probe.stop()
    const live = d.realtime.filter((s) => s.alive)
    let recovered = true
    for (const s of [d.roomApi, ...live, d.etl]) {
      recovered &&= await fetch(`${s.url}/readyz`).then((r) => r.ok, () => false)
    }
    return {
      drill: drill.name,
      fault: drill.fault,
      ...archive,
      traffic: traffic.stats,
      chatUnacked: traffic.unacked(),
      etlRedeliveriesSkipped: redeliveries,
      apiFailures: probe.apiFailures,
      notReadySeconds: probe.notReady,
      recovered
    }
  } finally {
    probe.stop()
    await traffic.stop(0).catch(() => {})
    await undeploy(d)
  }
}

const pct = (xs: number[], p: number) => xs.length === 0 ? '—' : String([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))])
const list = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}×${v}`).join(' ') || '0'

function table (results: DrillResult[]) {
  const rows = results.map((r) => r.error
    ? `| ${r.fault} | failed: ${r.error} |||||||||`
    : `| ${r.fault} | ${r.eventsExpected} | ${r.eventsArchived} | ${r.eventsLost} | ${r.chatAcked} / ${r.traffic.chatSent} | ${r.chatLost} | ${r.chatDuplicated} | ${list(r.traffic.clientErrors)} | ${list(r.traffic.closes)} | ${r.traffic.reconnectMs.length} (p50 ${pct(r.traffic.reconnectMs, 0.5)}, max ${pct(r.traffic.reconnectMs, 1)}) | ${r.apiFailures} | ${r.recovered ? 'yes' : 'NO'} |`)
  return [
    '| drill | events produced | archived | lost | chat acked / sent | chat lost | chat duplicated | client error frames | socket closes (code×n) | reconnects (ms) | API failures (1/s probe) | all ready after |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows
  ].join('\n')
}

const wanted = process.argv.slice(2)
const drills = wanted.length ? DRILLS.filter((d) => wanted.includes(d.name)) : DRILLS
const results: DrillResult[] = []
for (const drill of drills) {
  try {
    results.push(await runDrill(drill))
  } catch (err) {
    results.push({ drill: drill.name, fault: drill.fault, error: (err as Error).message } as DrillResult)
    for (const name of ['postgres', 'redis', 'kafka', 'mongo']) await stack('up', name).catch(() => {})
  }
  console.error(JSON.stringify(results.at(-1)))
}
const out = resolve(ROOT, 'infra/drills/results')
mkdirSync(out, { recursive: true })
const md = `Drills run ${new Date().toISOString()} — ${ROOMS} rooms × ${MEMBERS} members, 1 chat message per room per second, a seek every 3 s.\n\n${table(results)}\n`
writeFileSync(resolve(out, 'latest.json'), JSON.stringify(results, null, 2) + '\n')
writeFileSync(resolve(out, 'latest.md'), md)
console.log(md)
process.exit(0)
