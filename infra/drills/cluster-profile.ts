// The cluster profile (`infra/dev up --cluster`) as the drills see it: HAProxy's two addresses and the seven
// instances it runs, each stopped, killed and started through its pid file and `infra/dev instance`, and the
// Kafka brokers of `infra/local/stack up kafka-cluster`.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { ROOT, Service, sleep, type Deployment } from './services.js'

const run = promisify(execFile)
const STACK_DIR = process.env.WT_STACK_DIR ?? resolve(ROOT, '.stack')
const CLUSTER_PORT = Number(process.env.WT_CLUSTER_PORT ?? 3100)
const LB_ROOM_API_PORT = Number(process.env.WT_LB_ROOM_API_PORT ?? CLUSTER_PORT + 1)
const LB_REALTIME_PORT = Number(process.env.WT_LB_REALTIME_PORT ?? CLUSTER_PORT + 2)

/**
 * The limits the drills' simulated users need: every one of them signs in and creates rooms from 127.0.0.1,
 * and a member reconnects with the ticket it joined with (the web client asks room-api for a fresh one; the
 * drill does not, so tickets live an hour as in the other drills). Start the profile with them
 * (`RATE_LIMIT_CREATE_MAX=10000 RATE_LIMIT_SIGN_IN_MAX=10000 CHAT_RATE_MAX=1000 TICKET_TTL_SECONDS=3600
 * infra/dev up --cluster`); every instance a drill starts again gets them too.
 */
export const DRILL_LIMITS = { RATE_LIMIT_CREATE_MAX: '10000', RATE_LIMIT_SIGN_IN_MAX: '10000', CHAT_RATE_MAX: '1000', TICKET_TTL_SECONDS: '3600' }

const pidOf = (file: string) => existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined
const pidAlive = (pid: number | undefined) => pid !== undefined && existsSync(`/proc/${pid}`)

async function dev (...args: string[]) {
  await run(resolve(ROOT, 'infra/dev'), args, { cwd: ROOT, env: { ...process.env, ...DRILL_LIMITS }, timeout: 180_000 })
}

/** One instance of the profile: a Service whose process belongs to infra/dev (pid file), not to the drill. */
export class ProfileInstance extends Service {
  private get pidFile () { return resolve(STACK_DIR, `run/${this.name}.pid`) }

  override get alive () { return pidAlive(pidOf(this.pidFile)) }

  override async start () { this.starts++; await dev('instance', 'start', this.name) }
  override async stop () { await dev('instance', 'stop', this.name) }

  override async kill (signal: NodeJS.Signals = 'SIGKILL') {
    const pid = pidOf(this.pidFile)
    if (!pidAlive(pid)) return
    process.kill(pid!, signal)
    while (pidAlive(pid)) await sleep(50)
  }
}

/** The running profile; fails, naming the command, when HAProxy or an instance does not answer. */
export async function profileDeployment (): Promise<Deployment> {
  const at = (name: string, service: string, offset: number) => new ProfileInstance(name, service, CLUSTER_PORT + offset, {})
  const roomApis = [at('room-api-1', 'room-api', 11), at('room-api-2', 'room-api', 12)]
  const realtime = [1, 2, 3].map((n) => at(`realtime-${n}`, 'realtime', 20 + n))
  const etls = [at('etl-worker-1', 'etl-worker', 31), at('etl-worker-2', 'etl-worker', 32)]
  const lb = { api: `http://127.0.0.1:${LB_ROOM_API_PORT}`, ws: `ws://127.0.0.1:${LB_REALTIME_PORT}` }
  for (const s of [...roomApis, ...realtime, ...etls]) {
    const ok = await fetch(`${s.url}/readyz`).then((r) => r.ok, () => false)
    if (!ok) throw new Error(`${s.name} (${s.url}) is not ready: start the cluster profile with \`infra/dev up --cluster\``)
  }
  if (!(await fetch(`${lb.api}/readyz`).then((r) => r.ok, () => false))) throw new Error(`HAProxy (${lb.api}) does not answer: infra/dev up --cluster`)
  const id = `drill_profile_${Date.now().toString(36)}`
  // The profile's own topic and archive (its etl-workers' MONGO_DB); the drill's rooms are new, and counted alone.
  const names = { topic: 'watch_together', schema: 'public', prefix: 'rt', mongoDb: process.env.MONGO_DB ?? 'watch_together', id }
  return { roomApi: roomApis[0]!, realtime, etl: etls[0]!, names, lb, roomApis, etls }
}

export const kafkaBrokerPid = (node: number) => pidOf(resolve(STACK_DIR, `run/kafka-cluster-${node}.pid`))

/** Per partition of `watch_together`: its leader and in-sync replicas (`infra/local/stack kafka-isr`). */
export async function kafkaIsr (tries = 3): Promise<Array<{ partition: number, leader: number, isr: number[] }>> {
  let stdout = ''
  for (let attempt = 1; ; attempt++) {
    try {
      // Each call starts a JVM (about 3 s on a busy machine): a slow answer is retried, not a failure.
      stdout = (await run(resolve(ROOT, 'infra/local/stack'), ['kafka-isr'], { cwd: ROOT, env: process.env, timeout: 120_000 })).stdout
      break
    } catch (err) {
      if (attempt >= tries) throw err
    }
  }
  return stdout.trim().split('\n').map((line) => {
    const [partition, leader, , isr] = line.split(' ')
    return { partition: Number(partition), leader: Number(leader!.split('=')[1]), isr: isr!.split('=')[1]!.split(',').filter(Boolean).map(Number) }
  })
}
