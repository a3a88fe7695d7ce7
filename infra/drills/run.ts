// Fault drills: `pnpm drills [kafka etl-kill realtime-kill redis postgres mongo]` (all, in that order, by default),
// on the Redis Cluster (REDIS_CLUSTER_NODES set; named only): `pnpm drills redis-failover`, and on the running
// cluster profile (`infra/dev up --cluster`, with cluster-profile.ts's DRILL_LIMITS; named only):
// `pnpm drills kafka-broker-kill realtime-kill-lb etl-takeover rolling-restart` — traffic through HAProxy,
// faults on the profile's own instances and brokers, counted in its own archive.
// Each drill deploys room-api, two realtime instances and an etl-worker as child processes on a fresh topic,
// runs steady traffic from simulated rooms, injects its fault with `infra/local/stack down|up NAME` (or a
// signal), lets traffic run on, then counts what was produced, archived, duplicated and lost, what users saw
// (error frames, closes, reconnect times) and whether every service recovered by itself.
// Needs the stack (`source ./.helper-env && infra/local/stack up`) and a build (`pnpm turbo run build`).
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { countArchive, type ArchiveCounts } from './measure.js'
import { killNode, primaryOf, waitFailover } from './redis-cluster.js'
import { kafkaBrokerPid, kafkaIsr, profileDeployment } from './cluster-profile.js'
import { deploy, instancesOf, ROOT, sleep, stack, undeploy, type Deployment } from './services.js'
import { Traffic, type TrafficStats } from './traffic.js'

const ROOMS = Number(process.env.DRILL_ROOMS ?? 6)
const MEMBERS = Number(process.env.DRILL_MEMBERS ?? 3)

interface Drill {
  name: string
  fault: string
  act: (d: Deployment, probe: Probe, traffic: Traffic) => Promise<void>
  clusterOnly?: boolean
  /** Runs on the cluster profile's own instances (infra/dev up --cluster) instead of deploying its own. */
  profile?: boolean
}
/** What a drill measured besides the common counts (e.g. how long a failover took). */
const extra: Record<string, unknown> = {}

/** Polls room-api and each service's /readyz every second: what an API client sees, and recovery. */
class Probe {
  apiFailures = 0
  notReady: Record<string, number> = {}
  private timer: NodeJS.Timeout | undefined
  constructor (readonly d: Deployment) {}
  start () {
    this.timer = setInterval(async () => {
      try { if (!(await fetch(`${this.d.lb?.api ?? this.d.roomApi.url}/api/v1/films?limit=1`)).ok) this.apiFailures++ } catch { this.apiFailures++ }
      for (const s of instancesOf(this.d)) {
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
  { name: 'mongo', fault: 'MongoDB stopped 30 s', act: async () => outage('mongo', 30) },
  {
    name: 'redis-failover',
    fault: 'Redis Cluster primary of the first room kill -9ed (its replica takes over), then restarted',
    clusterOnly: true,
    act: async (d, _probe, traffic) => {
      const victim = await primaryOf(`${d.names.prefix}:room:{${traffic.rooms[0]!.id}}:seq`)
      const rooms = await Promise.all(traffic.rooms.map(async (r) => await primaryOf(`${d.names.prefix}:room:{${r.id}}:seq`)))
      extra.roomsOnVictim = rooms.filter((p) => p === victim).length
      console.error(`drill redis-failover: kill -9 ${victim} (${extra.roomsOnVictim} of ${rooms.length} rooms on it)`)
      killNode(victim)
      extra.failoverMs = await waitFailover(victim)
      await sleep(10_000)
      await stack('up', 'redis-cluster') // the killed node comes back as a replica of its successor
    }
  },
  {
    name: 'kafka-broker-kill',
    fault: 'the Kafka broker leading most partitions kill -9ed for 30 s (3 brokers, RF 3, min ISR 2), then restarted',
    profile: true,
    act: async () => {
      const before = await kafkaIsr()
      const led = [1, 2, 3].map((n) => before.filter((p) => p.leader === n).length)
      const victim = led.indexOf(Math.max(...led)) + 1
      extra.partitionsLedByVictim = led[victim - 1]
      console.error(`drill kafka-broker-kill: kill -9 broker ${victim} (leader of ${led[victim - 1]} of ${before.length} partitions)`)
      process.kill(kafkaBrokerPid(victim)!, 'SIGKILL')
      const killed = Date.now()
      // Until the controller fences it (broker.session.timeout.ms) and its partitions have new leaders.
      for (;;) {
        await sleep(500)
        const now = await kafkaIsr(1).catch(() => undefined)
        if (now?.every((p) => p.leader !== victim && p.leader > 0)) { extra.leadersMovedMs = Date.now() - killed; break }
        if (Date.now() - killed > 60_000) throw new Error(`partitions still led by broker ${victim} after 60 s`)
      }
      await sleep(Math.max(0, 30_000 - (Date.now() - killed)))
      const restarted = Date.now()
      await stack('up', 'kafka-cluster')
      extra.brokerBackMs = Date.now() - restarted
      extra.isrFullAfterRestart = (await kafkaIsr()).every((p) => p.isr.length === 3)
    }
  },
  {
    name: 'realtime-kill-lb',
    fault: 'one of three realtime instances behind HAProxy kill -9ed, restarted 15 s later',
    profile: true,
    act: async (d) => {
      const victim = d.realtime[0]!
      extra.membersOnVictim = await victim.metric('realtime_connections')
      await victim.kill('SIGKILL')
      await sleep(15_000)
      await victim.start()
    }
  },
  {
    name: 'etl-takeover',
    fault: 'one of two etl-workers kill -9ed; the other takes its partitions; restarted after 25 s',
    profile: true,
    act: async (d) => {
      const [victim, survivor] = d.etls!
      await victim!.kill('SIGKILL')
      await sleep(25_000)
      // The group's lag, summed over partitions, as the survivor reads it: near 0 once it consumes them all.
      extra.groupLagAfterTakeover = await survivor!.metric('etl_consumer_lag')
      await victim!.start()
    }
  },
  {
    name: 'rolling-restart',
    fault: 'every instance (2 room-api, 3 realtime, 2 etl-worker) restarted one after another (SIGTERM, start, ready)',
    profile: true,
    act: async (d) => {
      for (const s of instancesOf(d)) {
        await s.stop()
        await s.start()
        await sleep(3000) // HAProxy's health check takes it back after 2 passes, 1 s apart
      }
    }
  }
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
  failoverMs?: number
  roomsOnVictim?: number
  partitionsLedByVictim?: number
  leadersMovedMs?: number
  brokerBackMs?: number
  isrFullAfterRestart?: boolean
  membersOnVictim?: number
  groupLagAfterTakeover?: number
  error?: string
}

async function runDrill (drill: Drill): Promise<DrillResult> {
  for (const key of Object.keys(extra)) delete extra[key]
  const d = drill.profile ? await profileDeployment() : await deploy(drill.name)
  const traffic = new Traffic(d.lb?.api ?? d.roomApi.url, d.lb ? [d.lb.ws] : d.realtime.map((s) => s.url.replace('http', 'ws')))
  const probe = new Probe(d)
  let redeliveries = 0
  const etlBefore = async () => {
    for (const etl of d.etls ?? [d.etl]) { const n = await etl.metric('etl_events_duplicate_total'); if (Number.isFinite(n)) redeliveries += n }
  }
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
    if (drill.profile) await etlBefore() // the profile's workers counted before this drill: subtracted below
    const baseline = redeliveries
    redeliveries = 0
    await drill.act(d, probe, traffic)
    await sleep(10_000) // traffic continues after the fault
    await traffic.stop()
    const archive = await countArchive(d.names.mongoDb, traffic.maxSeqs(), traffic.ackedMessageIds())
    await etlBefore()
    if (drill.profile) redeliveries = Math.max(0, redeliveries - baseline)
    probe.stop()
    let recovered = true
    for (const s of instancesOf(d).filter((s) => s.alive || s !== d.realtime[0])) {
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
      recovered,
      ...extra
    }
  } finally {
    probe.stop()
    await traffic.stop(0).catch(() => {})
    if (drill.profile) {
      for (const s of instancesOf(d)) if (!s.alive) await s.start().catch(() => {})
    } else {
      await undeploy(d)
    }
  }
}

const pct = (xs: number[], p: number) => xs.length === 0 ? '—' : String([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))])
const list = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}×${v}`).join(' ') || '0'

/** What a profile drill measured besides the common counts, in words. */
function profileNotes (r: DrillResult) {
  const notes = [
    r.partitionsLedByVictim !== undefined && `it led ${r.partitionsLedByVictim} partitions; new leaders after ${r.leadersMovedMs} ms; back in ${r.brokerBackMs} ms, every ISR full again: ${r.isrFullAfterRestart ? 'yes' : 'no'}`,
    r.membersOnVictim !== undefined && `${r.membersOnVictim} members were on it`,
    r.groupLagAfterTakeover !== undefined && `group lag 25 s after the kill: ${r.groupLagAfterTakeover}`,
    r.etlRedeliveriesSkipped > 0 && `${r.etlRedeliveriesSkipped} re-delivered events skipped by the archive`
  ].filter(Boolean)
  return notes.length ? ` (${notes.join('; ')})` : ''
}

function table (results: DrillResult[]) {
  const rows = results.map((r) => r.error
    ? `| ${r.fault} | failed: ${r.error} |||||||||`
    : `| ${r.fault}${r.failoverMs !== undefined ? ` (replica promoted in ${r.failoverMs} ms; ${r.roomsOnVictim} rooms on it)` : ''}${profileNotes(r)} | ${r.eventsExpected} | ${r.eventsArchived} | ${r.eventsLost} | ${r.chatAcked} / ${r.traffic.chatSent} | ${r.chatLost} | ${r.chatDuplicated} | ${list(r.traffic.clientErrors)} | ${list(r.traffic.closes)} | ${r.traffic.reconnectMs.length} (p50 ${pct(r.traffic.reconnectMs, 0.5)}, max ${pct(r.traffic.reconnectMs, 1)}) | ${r.traffic.maxPauseMs} | ${r.traffic.outOfOrder} | ${r.apiFailures} | ${r.recovered ? 'yes' : 'NO'} |`)
  return [
    '| drill | events produced | archived | lost | chat acked / sent | chat lost | chat duplicated | client error frames | socket closes (code×n) | reconnects (ms) | longest pause a member saw (ms) | frames out of order | API failures (1/s probe) | all ready after |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows
  ].join('\n')
}

const wanted = process.argv.slice(2)
const drills = wanted.length ? DRILLS.filter((d) => wanted.includes(d.name)) : DRILLS.filter((d) => !d.clusterOnly && !d.profile)
const results: DrillResult[] = []
for (const drill of drills) {
  try {
    results.push(await runDrill(drill))
  } catch (err) {
    results.push({ drill: drill.name, fault: drill.fault, error: (err as Error).message } as DrillResult)
    const servers = drill.profile ? ['postgres', 'mongo', 'redis-cluster', 'kafka-cluster'] : ['postgres', 'redis', 'kafka', 'mongo', ...(drill.clusterOnly ? ['redis-cluster'] : [])]
    for (const name of servers) await stack('up', name).catch(() => {})
  }
  console.error(JSON.stringify(results.at(-1)))
}
const out = resolve(ROOT, 'infra/drills/results')
mkdirSync(out, { recursive: true })
const md = `Drills run ${new Date().toISOString()} — ${ROOMS} rooms × ${MEMBERS} members, 1 chat message per room per second, a seek every 3 s.\n\n${table(results)}\n`
// The cluster drills keep their own file, so a run of them leaves the single-node drills' results alone.
const file = drills.every((d) => d.profile) ? 'profile-latest' : drills.every((d) => d.clusterOnly) ? 'cluster-latest' : 'latest'
writeFileSync(resolve(out, `${file}.json`), JSON.stringify(results, null, 2) + '\n')
writeFileSync(resolve(out, `${file}.md`), md)
console.log(md)
process.exit(0)
