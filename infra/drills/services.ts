// The real services as child processes for the drills (dist/server.js, as deployed), each drill with its own
// Kafka topic, consumer groups, PostgreSQL schema, Redis prefix and MongoDB database, on free loopback ports.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

export const ROOT = resolve(import.meta.dirname, '../..')
const LOG_DIR = resolve(ROOT, '.stack/logs/drills')
const run = promisify(execFile)

export const stackEnv = {
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://watch:watch@127.0.0.1:5432/watch_together',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  /** Set: realtime runs on this Redis Cluster (`infra/local/stack up redis-cluster` prints it). */
  redisClusterNodes: process.env.REDIS_CLUSTER_NODES ?? ''
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `infra/local/stack down|up NAME` from the repo root, with this shell's environment (its own ports). */
export async function stack (action: 'up' | 'down', name: string) {
  await run(resolve(ROOT, 'infra/local/stack'), [action, name], { cwd: ROOT, env: process.env, timeout: 180_000 })
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export class Service {
  child: ChildProcess | undefined
  readonly url: string
  starts = 0

  constructor (readonly name: string, readonly service: string, readonly port: number, readonly env: Record<string, string>) {
    this.url = `http://127.0.0.1:${port}`
  }

  async start () {
    mkdirSync(LOG_DIR, { recursive: true })
    const log = createWriteStream(resolve(LOG_DIR, `${this.name}.log`), { flags: 'a' })
    this.child = spawn(process.execPath, [resolve(ROOT, `services/${this.service}/dist/server.js`)], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(this.port), LOG_LEVEL: 'warn', NODE_ENV: 'development', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child.stdout!.pipe(log)
    this.child.stderr!.pipe(log)
    this.starts++
    await this.waitHealthy()
  }

  async waitHealthy (timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`${this.name} exited ${this.child.exitCode}; see .stack/logs/drills/${this.name}.log`)
      try { if ((await fetch(`${this.url}/healthz`)).ok) return } catch {}
      await sleep(200)
    }
    throw new Error(`${this.name} not healthy after ${timeoutMs} ms`)
  }

  /** False once the process exited, by itself or by a signal (a killed child has exitCode null). */
  get alive () { return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null }

  kill (signal: NodeJS.Signals = 'SIGKILL') {
    const child = this.child
    if (!child || !this.alive) return Promise.resolve()
    return new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill(signal) })
  }

  async stop () {
    const child = this.child
    if (!child || !this.alive) return
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await this.kill('SIGTERM')
    clearTimeout(killer)
  }

  async metric (name: string): Promise<number> {
    try {
      const text = await (await fetch(`${this.url}/metrics`)).text()
      return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)
    } catch { return NaN }
  }
}

export interface Deployment {
  roomApi: Service
  realtime: Service[]
  etl: Service
  names: { topic: string, schema: string, prefix: string, mongoDb: string }
  /** The cluster profile: HAProxy's room-api and realtime addresses, and every instance behind or beside it. */
  lb?: { api: string, ws: string }
  roomApis?: Service[]
  etls?: Service[]
}

/** Every instance of a deployment. */
export const instancesOf = (d: Deployment) => [...(d.roomApis ?? [d.roomApi]), ...d.realtime, ...(d.etls ?? [d.etl])]

/** room-api, two realtime instances and one etl-worker sharing one fresh topic. */
export async function deploy (tag: string): Promise<Deployment> {
  const id = `drill_${tag.replaceAll('-', '_')}_${Date.now().toString(36)}`
  const ticketSecret = `drill-ticket-secret-${id}`
  const names = { topic: id, schema: id, prefix: id, mongoDb: id.slice(0, 60) }
  const kafka = { KAFKA_BROKERS: stackEnv.kafkaBrokers, KAFKA_TOPIC: names.topic, KAFKA_TOPIC_PARTITIONS: '6' }
  const roomApi = new Service(`${tag}-room-api`, 'room-api', await freePort(), {
    ...kafka,
    DATABASE_URL: stackEnv.databaseUrl,
    PG_SCHEMA: names.schema,
    KAFKA_GROUP_ID: `${id}_room_api`,
    DEV_SIGN_IN: 'true',
    TICKET_SECRET: ticketSecret,
    TICKET_TTL_SECONDS: '3600',
    RATE_LIMIT_CREATE_MAX: '10000',
    RATE_LIMIT_SIGN_IN_MAX: '10000',
    OUTBOX_POLL_MS: '200'
  })
  const realtimeEnv = {
    ...kafka,
    REDIS_URL: stackEnv.redisUrl,
    REDIS_CLUSTER_NODES: stackEnv.redisClusterNodes,
    // On a cluster, each event waits for its replica (README, cluster mode): a killed primary loses none.
    REDIS_WAIT_REPLICAS: stackEnv.redisClusterNodes ? '1' : '0',
    REDIS_PREFIX: names.prefix,
    KAFKA_GROUP_ID: `${id}_realtime`,
    TICKET_SECRET: ticketSecret,
    INSTANCE_HEARTBEAT_MS: '2000',
    CHAT_RATE_MAX: '1000'
  }
  const realtime = [1, 2].map(async (n) => new Service(`${tag}-realtime-${n}`, 'realtime', await freePort(), { ...realtimeEnv, INSTANCE_ID: `${id}-rt${n}` }))
  const etl = new Service(`${tag}-etl-worker`, 'etl-worker', await freePort(), {
    ...kafka,
    MONGO_URL: stackEnv.mongoUrl,
    MONGO_DB: names.mongoDb,
    KAFKA_GROUP_ID: `${id}_etl`,
    KAFKA_DLQ_TOPIC: `${id}_dlq`,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    ETL_RETRY_MAX_MS: '2000'
  })
  const d = { roomApi, realtime: await Promise.all(realtime), etl, names }
  await roomApi.start() // creates the topic
  await Promise.all([...d.realtime.map((s) => s.start()), etl.start()])
  return d
}

export async function undeploy (d: Deployment) {
  await Promise.all([d.roomApi, ...d.realtime, d.etl].map((s) => s.stop()))
}
