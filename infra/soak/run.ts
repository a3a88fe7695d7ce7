// The chaos soak: `pnpm soak [--minutes 20] [--seed N] [--rooms 200] [--members 5] [--ci]`.
// Runs room-api, realtime and etl-worker (two instances each) as child processes against this checkout's
// stack (its WT_* ports and pid files), drives steady traffic through them, and meanwhile follows a seeded
// schedule of faults — SIGKILL, stop and restart, SIGSTOP/SIGCONT — on every server and every instance,
// one or two at a time. It checks the invariants (invariants.ts) as it goes and at the end, prints the
// report, writes it to infra/soak/results/, and exits 1 on any violation. Loopback only; it stops itself.
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort } from '../drills/services.js'
import { addFilm, Checker, type Names } from './invariants.js'
import { FAULT_KINDS, fingerprint, makeSchedule, type Fault, type FaultKind } from './schedule.js'
import { ROOT, Server, Service, sleep, STACK_DIR, type Crash, type Target } from './targets.js'
import { LEAVE_BOUND_MS, type LeaveTime, SOAK_FILM, SOAK_PARTITIONS, Traffic } from './traffic.js'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    seed: { type: 'string' },
    rooms: { type: 'string' },
    members: { type: 'string' },
    ci: { type: 'boolean', default: false },
    etl: { type: 'string' },
    'chat-rate': { type: 'string' },
    out: { type: 'string' }
  }
})
const ci = args.ci
const minutes = Number(args.minutes)
const seed = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 1e6)
const rooms = Number(args.rooms ?? (ci ? 20 : 200))
const membersPerRoom = Number(args.members ?? (ci ? 3 : 5))
const etlInstances = Number(args.etl ?? 2)
/** Chat messages per room per second; player commands are a third of that. */
const chatRate = Number(args['chat-rate'] ?? (ci ? 0.25 : 0.15))
/** Bounds of the invariants: a fault's services ready again, groups caught up, an accepted message archived. */
const READY_BOUND_MS = 90_000
const CATCH_UP_BOUND_MS = 120_000
const ARCHIVE_BOUND_MS = 240_000
/** A leave that took longer than this to reach its member is listed with its partition and realtime's apply time. */
const SLOW_LEAVE_MS = 30_000

const env = {
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://watch:watch@127.0.0.1:5432/watch_together',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017'
}

const log = (msg: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}`)

interface FaultResult extends Fault {
  startedAt: number
  healedAt: number
  /** Heal → every running instance's /readyz 200 again (null: not within READY_BOUND_MS). */
  recoveryMs: number | null
  pauseMs: number
  error?: string
}

const crashes: Crash[] = []

async function deploy (): Promise<{ names: Names, api: Service[], rt: Service[], etl: Service[] }> {
  const id = `soak_${seed}_${Date.now().toString(36)}`
  const names: Names = {
    topic: id,
    schema: id,
    prefix: id,
    mongoDb: id.slice(0, 60),
    groups: { 'room-api': `${id}_room_api`, realtime: `${id}_realtime`, 'etl-worker': `${id}_etl` }
  }
  const ticketSecret = `soak-ticket-secret-${id}-0123456789abcdef`
  const kafka = { KAFKA_BROKERS: env.kafkaBrokers, KAFKA_TOPIC: names.topic, KAFKA_TOPIC_PARTITIONS: String(SOAK_PARTITIONS), KAFKA_DLQ_TOPIC: `${id}_dlq` }
  const onCrash = (c: Crash) => { crashes.push(c); log(`UNSCHEDULED EXIT ${c.name} code ${c.code} signal ${c.signal}`) }
  const make = async (name: string, service: string, extra: Record<string, string>) => new Service(name, service, await freePort(), { ...kafka, ...extra }, onCrash)
  const api = await Promise.all([1, 2].map((n) => make(`room-api-${n}`, 'room-api', {
    DATABASE_URL: env.databaseUrl,
    PG_SCHEMA: names.schema,
    KAFKA_GROUP_ID: names.groups['room-api']!,
    DEV_SIGN_IN: 'true',
    TICKET_SECRET: ticketSecret,
    TICKET_TTL_SECONDS: '3600',
    RATE_LIMIT_CREATE_MAX: '1000000',
    RATE_LIMIT_SIGN_IN_MAX: '1000000',
    OUTBOX_POLL_MS: '200',
    // Rooms must not close under the soak when every member is briefly away (a realtime outage).
    EMPTY_ROOM_GRACE_MS: String(7 * 86_400_000),
    PG_POOL_MAX: '10'
  })))
  const rt = await Promise.all([1, 2].map((n) => make(`realtime-${n}`, 'realtime', {
    REDIS_URL: env.redisUrl,
    REDIS_PREFIX: names.prefix,
    KAFKA_GROUP_ID: names.groups.realtime!,
    TICKET_SECRET: ticketSecret,
    INSTANCE_ID: `${id}-rt${n}`,
    INSTANCE_HEARTBEAT_MS: '2000',
    CHAT_RATE_MAX: '10000',
    FRAME_CHECKS: 'false',
    // The whole soak stays in each room's stream, so the checks can tell a lost event from an echo.
    ROOM_EVENTS_MAX: '100000'
  })))
  const etl = await Promise.all(Array.from({ length: etlInstances }, (_, i) => i + 1).map((n) => make(`etl-worker-${n}`, 'etl-worker', {
    MONGO_URL: env.mongoUrl,
    MONGO_DB: names.mongoDb,
    KAFKA_GROUP_ID: names.groups['etl-worker']!,
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ETL_RETRY_MAX_MS: '2000'
  })))
  await api[0]!.start() // migrates the schema and creates the topic
  // The demo films last a minute, and a room whose film ends closes: the soak's rooms watch a long one.
  await addFilm(env.databaseUrl, names.schema, SOAK_FILM)
  await Promise.all([api[1]!, ...rt, ...etl].map((s) => s.start()))
  return { names, api, rt, etl }
}

async function main () {
  const faultSpanMs = Math.max(30_000, minutes * 60_000 - (ci ? 60_000 : 150_000))
  const servers = ['postgres', 'redis', 'kafka', 'mongo'].map((n) => new Server(n as any))
  log(`seed ${seed}: deploying 2 × room-api, 2 × realtime, ${etlInstances} × etl-worker against ${env.kafkaBrokers}, ${env.redisUrl}, ${env.mongoUrl}`)
  for (const s of servers) { if (s.pid() === undefined) throw new Error(`${s.name} is not running (infra/local/stack up)`) }
  const d = await deploy()
  const services = [...d.api, ...d.rt, ...d.etl]
  const targets: Target[] = [...servers, ...services]
  const schedule = makeSchedule({
    seed,
    spanMs: faultSpanMs,
    targets: targets.map((t) => t.name),
    gapMs: ci ? [6000, 12_000] : [8000, 20_000],
    downMs: ci ? [2000, 8000] : [2000, 15_000],
    overlapChance: 0.35
  })
  log(`schedule ${fingerprint(schedule)}: ${schedule.length} faults over ${Math.round(faultSpanMs / 1000)} s`)
  const checker = new Checker(env, d.names)
  const traffic = new Traffic(d.api.map((s) => s.url), d.rt.map((s) => s.url.replace('http', 'ws')), {
    rooms,
    membersPerRoom,
    chatRate,
    commandRate: chatRate / 3,
    leaveRate: ci ? 0.02 : 0.01,
    reconnectRate: ci ? 0.02 : 0.02,
    seed
  })
  const results: FaultResult[] = []
  const continuous: string[] = []
  const run = { stopped: false }
  // Faults must never outlive the soak: on any exit, thaw and restart what is down.
  const cleanup = async () => {
    for (const s of servers) s.thaw()
    for (const s of services) if (s.frozen) s.child?.kill('SIGCONT')
  }
  // Interrupted: thaw what is frozen, stop the instances this run started, bring the servers back.
  const interrupted = () => {
    cleanup()
      .then(() => Promise.all(services.map((s) => s.stop())))
      .then(() => Promise.all(servers.map((s) => s.pid() === undefined ? s.stack('up') : undefined)))
      .finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  // Bounded whatever happens: a run far past its length (a check stuck on a locked archive) stops itself.
  setTimeout(() => { log(`the soak overran ${minutes} min by 25 min: stopping`); process.exitCode = 1; interrupted() }, (minutes + 25) * 60_000).unref()
  try {
    log(`opening ${rooms} rooms × ${membersPerRoom} members`)
    await traffic.open()
    log(`${traffic.connectedCount()} of ${traffic.memberCount()} connections open`)
    const rssStart = Object.fromEntries(services.map((s) => [s.name, s.rssKiB()]))
    traffic.start()
    const t0 = Date.now()
    // Continuous checks: accepted messages reach the archive within the bound; nothing crashed.
    let unreadableSince: number | undefined
    let unreadableReported = false
    const watcher = (async () => {
      while (!run.stopped) {
        await sleep(ci ? 15_000 : 30_000)
        const overdue = await checker.overdue(traffic.acceptedChats, ARCHIVE_BOUND_MS)
        // An archive that cannot even be read (a locked database) for longer than the bound is a stall too.
        if (overdue === null) {
          unreadableSince ??= Date.now()
          if (Date.now() - unreadableSince > ARCHIVE_BOUND_MS && !unreadableReported) {
            unreadableReported = true
            const line = `${new Date().toISOString().slice(11, 19)} the archive could not be read for ${Math.round((Date.now() - unreadableSince) / 1000)} s`
            continuous.push(line)
            log(line)
          }
        } else {
          unreadableSince = undefined
          unreadableReported = false
        }
        if (overdue && overdue.length) {
          const line = `${new Date().toISOString().slice(11, 19)} ${overdue.length} accepted message(s) not archived after ${ARCHIVE_BOUND_MS / 1000} s, e.g. ${overdue[0]}`
          continuous.push(line)
          log(line)
        }
        log(`t+${Math.round((Date.now() - t0) / 1000)} s: ${traffic.connectedCount()}/${traffic.memberCount()} connected, ${traffic.acceptedChats.length} chats and ${traffic.acceptedCommands.length} commands accepted, ${traffic.unacked()} waiting`)
      }
    })()
    const runFault = async (f: Fault) => {
      const target = targets.find((t) => t.name === f.target)!
      const r: FaultResult = { ...f, startedAt: Date.now(), healedAt: 0, recoveryMs: null, pauseMs: 0 }
      log(`fault ${f.id}: ${f.kind} ${f.target} for ${f.durationMs} ms${f.overlaps ? ' (overlapping)' : ''}`)
      try {
        await target.fault(f.kind)
        await sleep(f.durationMs)
        await target.heal(f.kind)
      } catch (err) {
        r.error = (err as Error).message
        log(`fault ${f.id}: ${r.error}`)
        // Make sure it is back whatever happened.
        await target.heal(f.kind === 'freeze' ? 'freeze' : 'kill').catch(() => {})
      }
      r.healedAt = Date.now()
      const deadline = r.healedAt + READY_BOUND_MS
      while (Date.now() < deadline) {
        const ready = await Promise.all(services.filter((s) => s.alive && !s.frozen).map((s) => s.ready()))
        if (ready.every(Boolean)) { r.recoveryMs = Date.now() - r.healedAt; break }
        await sleep(500)
      }
      log(`fault ${f.id}: healed; ready again after ${r.recoveryMs ?? `more than ${READY_BOUND_MS}`} ms`)
      results.push(r)
    }
    // Groups of one or two faults in the schedule's order, each after its quiet gap; an overlapping
    // fault starts while its group's first is active. Restarts take what they take on a loaded machine,
    // so no new group starts past the fault span: a slow run runs a prefix of the same schedule.
    const running: Promise<void>[] = []
    let skipped = 0
    for (const f of schedule) {
      if (!f.overlaps) {
        await Promise.all(running.splice(0))
        await sleep(f.delayMs)
        if (Date.now() - t0 > faultSpanMs) { skipped = schedule.length - schedule.indexOf(f); break }
      } else {
        await sleep(f.delayMs)
      }
      running.push(runFault(f))
    }
    await Promise.all(running)
    if (skipped) log(`${skipped} scheduled fault(s) not started: the fault span was used up`)
    const lastHeal = Math.max(t0, ...results.map((r) => r.healedAt))
    // Traffic runs on until the planned end, then stops and settles.
    await sleep(Math.max(10_000, t0 + minutes * 60_000 - (ci ? 30_000 : 60_000) - Date.now()))
    log('stopping traffic')
    await traffic.stop(60_000)
    const settledAt = Date.now()
    log('waiting for consumer groups and outboxes to catch up')
    const catchUp = await checker.catchUp(CATCH_UP_BOUND_MS)
    const drainMs = await checker.drain(traffic.acceptedChats, CATCH_UP_BOUND_MS)
    const presence = await checker.presenceDrained(traffic.rooms.map((r) => r.id), 60_000)
    run.stopped = true
    await watcher
    for (const r of results) r.pauseMs = traffic.worstPause(r.startedAt - 1000, r.healedAt + (r.recoveryMs ?? 0))
    const rssEnd = Object.fromEntries(services.map((s) => [s.name, s.rssKiB()]))
    log('final checks')
    const final = await checker.final(traffic.rooms.map((r) => r.id), traffic.acceptedChats, traffic.acceptedCommands)
    // Leaves slower than 30 s to arrive, with when realtime applied them (from the rooms' streams).
    const slow = traffic.stats.leaveTimes.filter((l) => l.seenAt === null || l.seenAt - l.committedAt > SLOW_LEAVE_MS)
    const slowLeaves = await checker.leavesApplied(slow).catch((err: Error) => { log(`the slow leaves' frames could not be read: ${err.message}`); return undefined })
    const report = buildReport({ skipped, schedule, results, final, continuous, presence, catchUp, drainMs, lastHeal, settledAt, rssStart, rssEnd, traffic, services, backlogError: checker.backlogError, slowLeaves })
    // A CI run's report stays under the stack's folder (the tree stays clean); a long run's is kept in the repo.
    const out = args.out ?? (ci ? resolve(STACK_DIR, 'soak/ci') : resolve(ROOT, 'infra/soak/results/latest'))
    mkdirSync(resolve(out, '..'), { recursive: true })
    writeFileSync(`${out}.md`, report.md)
    writeFileSync(`${out}.json`, JSON.stringify({ seed, minutes, rooms, membersPerRoom, schedule: fingerprint(schedule), results, final, continuous, presence, catchUp, crashes, rssStart, rssEnd, stats: { ...traffic.stats, leaveTimes: undefined }, slowLeaves }, null, 2) + '\n')
    console.log(report.md)
    process.exitCode = report.violations > 0 ? 1 : 0
  } finally {
    run.stopped = true
    await cleanup()
    await traffic.stop(0).catch(() => {})
    await Promise.all(services.map((s) => s.stop()))
    for (const s of servers) if (s.pid() === undefined) await s.stack('up').catch(() => {})
    await checker.close()
  }
}

interface ReportInput {
  skipped: number
  schedule: Fault[]
  results: FaultResult[]
  final: Record<string, string[]>
  continuous: string[]
  presence: string[]
  catchUp: { ms: Record<string, number | null>, last: Record<string, number> }
  drainMs: number
  lastHeal: number
  settledAt: number
  rssStart: Record<string, number | undefined>
  rssEnd: Record<string, number | undefined>
  traffic: Traffic
  services: Service[]
  backlogError: string | undefined
  slowLeaves: Array<LeaveTime & { appliedAt: number | null }> | undefined
}

const sec = (ms: number | null | undefined) => ms == null ? '—' : `${(ms / 1000).toFixed(1)} s`
const mib = (kib: number | undefined) => kib === undefined ? '—' : `${(kib / 1024).toFixed(0)} MiB`

function buildReport (i: ReportInput): { md: string, violations: number } {
  const s = i.traffic.stats
  const lines: Array<[string, string[]]> = [
    ['accepted chat and commands archived exactly once, at the seq the member was told', i.final.archive ?? []],
    ['each room\'s archived realtime events: seq 1..max, each once', i.final.order ?? []],
    ['accepted messages archived within the bound while faults ran (checked every 15–30 s)', i.continuous],
    ['each room\'s live state in Redis equals the state rebuilt from the archive', i.final.state ?? []],
    ['PostgreSQL membership equals the archive\'s join/leave history (and realtime\'s view)', i.final.membership ?? []],
    ['once every client left, nobody is counted online (Redis counts, PostgreSQL online)', i.presence],
    ['no departed member acted (old tickets refused once the leave reached realtime)', [...s.ghostAccepted, ...(i.final.departed ?? [])]],
    ['no member was closed out without leaving', s.unexpectedEnds],
    [`a leave closed the member's open socket within ${LEAVE_BOUND_MS / 1000} s`, s.leavesNotEnforced],
    [`consumer groups and outboxes caught up within ${CATCH_UP_BOUND_MS / 1000} s of the end`, [
      ...Object.entries(i.catchUp.ms).filter(([, ms]) => ms === null).map(([k]) => `${k}: backlog ${i.catchUp.last[k]} after the bound`),
      ...(Object.keys(i.catchUp.ms).length === 0 ? [`the backlog could not be read: ${i.backlogError}`] : [])
    ]],
    [`every /readyz back to 200 within ${READY_BOUND_MS / 1000} s of each heal`, i.results.filter((r) => r.recoveryMs === null).map((r) => `fault ${r.id} (${r.kind} ${r.target})`)],
    ['no process exited except those the schedule killed or stopped', crashes.map((c) => `${c.name} exited (code ${c.code}, signal ${c.signal}) at ${new Date(c.at).toISOString().slice(11, 19)}`)],
    ['every scheduled fault was applied and healed', i.results.filter((r) => r.error).map((r) => `fault ${r.id} (${r.kind} ${r.target}): ${r.error}`)]
  ]
  const violations = lines.reduce((n, [, v]) => n + v.length, 0)
  const kinds = FAULT_KINDS.map((kind) => {
    const rs = i.results.filter((r) => r.kind === kind)
    const bad = rs.filter((r) => r.recoveryMs === null || r.error).length
    return `| ${kind === 'kill' ? 'SIGKILL, restarted' : kind === 'stop' ? 'stopped (SIGTERM / stack down), restarted' : 'frozen (SIGSTOP … SIGCONT)'} | ${rs.length} | ${sec(Math.max(0, ...rs.map((r) => r.pauseMs)))} | ${sec(Math.max(0, ...rs.map((r) => r.recoveryMs ?? READY_BOUND_MS)))} | ${bad} |`
  })
  const targets = [...new Set(i.results.map((f) => f.target))].sort()
  const perTarget = targets.map((t) => {
    const rs = i.results.filter((r) => r.target === t)
    const count = (k: FaultKind) => rs.filter((r) => r.kind === k).length
    return `| ${t} | ${count('kill')} / ${count('stop')} / ${count('freeze')} | ${sec(Math.max(0, ...rs.map((r) => r.pauseMs)))} | ${sec(Math.max(0, ...rs.map((r) => r.recoveryMs ?? READY_BOUND_MS)))} |`
  })
  const latencies = i.traffic.latencies.map((l) => l.latencyMs).sort((a, b) => a - b)
  const pct = (p: number) => latencies.length ? `${latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]} ms` : '—'
  const md = [
    `Soak run ${new Date().toISOString()} — seed ${seed} (schedule ${fingerprint(i.schedule)}), ${minutes} min, ${rooms} rooms × ${membersPerRoom} members = ${i.traffic.memberCount()} connections over 2 realtime instances; 2 room-api, ${etlInstances} etl-worker instance(s); ${i.results.length} faults (${i.results.filter((r) => r.overlaps).length} overlapping another)${i.skipped ? `; the last ${i.skipped} of the schedule's ${i.schedule.length} not started (the fault span was used up)` : ''}.`,
    '',
    '| fault kind | count | worst client-visible pause | worst recovery (heal → all /readyz 200) | violations |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...kinds,
    '',
    '| target | kill / stop / freeze | worst pause | worst recovery |',
    '| --- | --- | ---: | ---: |',
    ...perTarget,
    '',
    `Traffic: ${s.chatSent} chat sent, ${i.traffic.acceptedChats.length} accepted (ack p50 ${pct(0.5)}, p99 ${pct(0.99)}, max ${pct(1)}), ${i.traffic.unacked()} never acknowledged; ${s.commandsSent} player commands, ${i.traffic.acceptedCommands.length} accepted, ${s.commandsRejected} rejected (stale version); ${s.leaves} leaves (${s.lateLeaves} committed after an unanswered request, ${s.leavesUnseen} with nobody connected to see them arrive), ${s.rejoins} re-joins, ${s.ghostAttempts} old-ticket attempts (${s.ghostRefused} refused); ${s.reconnects} reconnects (${s.clientReconnects} client-initiated); ${s.apiFailures} room-api call failures; error frames ${Object.entries(s.errors).map(([k, v]) => `${k}×${v}`).join(' ') || '0'}; closes ${Object.entries(s.closes).map(([k, v]) => `${k}×${v}`).join(' ')}.`,
    '',
    ...leaveLines(s.leaveTimes, i.slowLeaves),
    '',
    `Catch-up after the traffic stopped (${sec(i.settledAt - i.lastHeal)} after the last heal): ${Object.entries(i.catchUp.ms).map(([k, ms]) => `${k} ${sec(ms)}`).join(', ')}; every accepted message archived ${sec(i.drainMs)} after that.`,
    '',
    `RSS start → end: ${i.services.map((sv) => `${sv.name} ${mib(i.rssStart[sv.name])} → ${mib(i.rssEnd[sv.name])}${sv.starts > 1 ? ` (restarted ${sv.starts - 1}×)` : ''}`).join(', ')}.`,
    '',
    '| invariant | violations |',
    '| --- | ---: |',
    ...lines.map(([name, v]) => `| ${name} | ${v.length} |`),
    '',
    ...lines.flatMap(([name, v]) => v.length ? [`${name}:`, ...v.slice(0, 20).map((x) => `- ${x}`), ...(v.length > 20 ? [`- … ${v.length - 20} more`] : []), ''] : []),
    `${violations === 0 ? 'PASS' : 'FAIL'}: ${violations} violation(s).`
  ].join('\n')
  return { md, violations }
}

/** How fast leaves reached their members, and where the slow ones were held (partition, realtime's apply time). */
function leaveLines (times: LeaveTime[], slow: ReportInput['slowLeaves']): string[] {
  const seenIn = (lo: number, hi: number) => times.filter((l) => l.seenAt !== null && l.seenAt - l.committedAt > lo && l.seenAt - l.committedAt <= hi).length
  const unseen = times.filter((l) => l.seenAt === null)
  const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19)
  const late = (slow ?? []).filter((l) => l.seenAt === null && l.hadSocket)
  const perPartition = Array.from({ length: SOAK_PARTITIONS }, (_, p) => `p${p} ${(slow ?? []).filter((l) => l.partition === p).length}`).join(', ')
  return [
    `Leaves seen arriving (a 4012 close or a room-mate's member.left): ${seenIn(-1, SLOW_LEAVE_MS)} within ${SLOW_LEAVE_MS / 1000} s, ${seenIn(SLOW_LEAVE_MS, LEAVE_BOUND_MS)} in ${SLOW_LEAVE_MS / 1000}–${LEAVE_BOUND_MS / 1000} s, ${unseen.length} not within ${LEAVE_BOUND_MS / 1000} s; slower than ${SLOW_LEAVE_MS / 1000} s by partition: ${perPartition}.`,
    ...(slow === undefined
      ? ['(realtime\'s apply times could not be read)']
      : late.slice(0, 30).map((l) => `- late leave, partition ${l.partition}: committed ${hms(l.committedAt)}, applied by realtime ${l.appliedAt === null ? 'never (no member.left frame)' : `${hms(l.appliedAt)} (${sec(l.appliedAt - l.committedAt)} later)`}`))
  ]
}

main().then(() => process.exit(), (err) => { console.error(err); process.exit(2) })
