// The systems the fan-out bench compares, each started in its own process and spoken to by plain `ws`
// clients (the same cheap load generator for all; no SDK's own cost lands on one side):
//   realtime    this service (bench/server.ts realtime), one process
//   realtime2   this service as two instances on the same Redis and Kafka (one Node process per core, as it is
//               deployed); the clients alternate between them, so every room spans both and each frame crosses pub/sub
//   realtime-cluster  this service, one process, on the Redis Cluster named by REDIS_CLUSTER_NODES
//               (infra/local/stack up redis-cluster) with REDIS_WAIT_REPLICAS=1 as cluster mode is meant to run
//               (BENCH_CLUSTER_WAIT_REPLICAS overrides it); its Redis CPU is summed over every node of the cluster
//   centrifugo  Centrifugo v6.9.1 with its Redis broker, built from the Go module proxy and cached
//   socketio    socket.io 4.8 + @socket.io/redis-adapter (bench/server.ts socketio)
//   ws          a bare ws relay in memory (bench/server.ts ws): the floor
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import { signTicket } from '../src/ticket.js'

export type SystemName = 'realtime' | 'realtime2' | 'realtime-cluster' | 'centrifugo' | 'socketio' | 'ws' | 'before'
/** `before`: realtime as built from another checkout (BENCH_BEFORE_TREE, e.g. a git worktree of an older commit). */
export const REALTIME_SYSTEMS: SystemName[] = ['realtime', 'realtime2', 'realtime-cluster', 'before']
export const speaksRealtime = (name: SystemName) => REALTIME_SYSTEMS.includes(name)
export const SECRET = 'bench-ticket-secret-0123456789'
const CENTRIFUGO_VERSION = 'v6.9.1'

export interface Running {
  name: SystemName
  /** Every server process (their CPU is summed) and the port of each (clients alternate between them). */
  pids: number[]
  ports: number[]
  /** The Redis servers it runs on, as URLs: their CPU is its Redis CPU (summed). */
  redisUrls: string[]
  /** RSS of the server process (bytes), after a GC where the runtime allows asking for one. */
  memory (): Promise<number>
  /** Event-loop delay since the last call (Node systems only). */
  loop (): Promise<{ p99: number, max: number, mean: number } | null>
  stop (): Promise<void>
}

/** Sends `message` to a forked child and waits for its reply under `key`. */
function ask<T> (child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || !child.connected) return reject(new Error(`the server process exited (${child.exitCode})`))
    const onExit = (code: number | null) => reject(new Error(`the server process exited (${code})`))
    const onMessage = (msg: Record<string, T>) => {
      if (!(key in msg)) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(msg[key]!)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    if (message) child.send(message)
  })
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
/** The single-Redis systems run on REDIS_URL even when the shell also names a cluster. */
const SINGLE_REDIS = { REDIS_CLUSTER_NODES: '' }

async function startNode (name: Exclude<SystemName, 'centrifugo' | 'realtime2'>, profile: boolean, env: Record<string, string> = {}, redisUrls = [REDIS_URL]): Promise<Running> {
  const script = name === 'before'
    ? join(process.env.BENCH_BEFORE_TREE ?? '', 'services/realtime/bench/server.ts')
    : fileURLToPath(new URL('./server.ts', import.meta.url))
  const child = fork(script, [name === 'before' ? 'realtime' : name], {
    execArgv: ['--expose-gc', '--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR ?? '/tmp/rt-prof'}`] : [])],
    env: { ...process.env, BENCH_TICKET_SECRET: SECRET, BENCH_PORT: String(await freePort()), ...env }
  })
  const port = await ask<number>(child, '', 'port')
  return {
    name,
    pids: [child.pid!],
    ports: [port],
    redisUrls,
    memory: async () => (await ask<{ rss: number }>(child, 'memory', 'memory')).rss,
    loop: async () => await ask<{ p99: number, max: number, mean: number }>(child, 'loop', 'loop'),
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.on('exit', resolve))
      child.send('stop')
      await exited
    }
  }
}

/** Two realtime instances sharing one key prefix, topic and consumer group: one service, two processes. */
async function startRealtimePair (profile: boolean): Promise<Running> {
  const env = { ...SINGLE_REDIS, BENCH_SUFFIX: randomBytes(4).toString('hex') }
  const parts = [await startNode('realtime', profile, env), await startNode('realtime', profile, env)]
  return {
    name: 'realtime2',
    pids: parts.flatMap((p) => p.pids),
    ports: parts.flatMap((p) => p.ports),
    redisUrls: [REDIS_URL],
    memory: async () => (await Promise.all(parts.map(async (p) => await p.memory()))).reduce((a, b) => a + b, 0),
    loop: async () => {
      const loops = (await Promise.all(parts.map(async (p) => await p.loop()))).filter((l) => l !== null)
      return { p99: Math.max(...loops.map((l) => l.p99)), max: Math.max(...loops.map((l) => l.max)), mean: loops.reduce((a, l) => a + l.mean, 0) / loops.length }
    },
    stop: async () => { for (const p of parts) await p.stop() }
  }
}

/** Realtime on the Redis Cluster of REDIS_CLUSTER_NODES (every node, replicas too, counts towards its Redis CPU). */
async function startRealtimeOnCluster (profile: boolean): Promise<Running> {
  const nodes = (process.env.REDIS_CLUSTER_NODES ?? '').split(',').map((n) => n.trim()).filter(Boolean)
  if (!nodes.length) throw new Error('realtime-cluster needs REDIS_CLUSTER_NODES (infra/local/stack up redis-cluster; infra/local/stack cluster-nodes)')
  const env = { REDIS_CLUSTER_NODES: nodes.join(','), REDIS_WAIT_REPLICAS: process.env.BENCH_CLUSTER_WAIT_REPLICAS ?? '1' }
  return { ...await startNode('realtime-cluster', profile, env, nodes.map((n) => `redis://${n}`)), name: 'realtime-cluster' }
}

/** The Centrifugo binary, built once through the Go module proxy into the project's cache (like FerretDB's). */
export function centrifugoBinary (): string {
  const dir = join(process.env.WT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'watch-together'), `centrifugo-${CENTRIFUGO_VERSION}`)
  const bin = join(dir, 'centrifugo')
  if (existsSync(bin)) return bin
  mkdirSync(dir, { recursive: true })
  process.stderr.write(`building Centrifugo ${CENTRIFUGO_VERSION} through the Go module proxy (a few minutes cold)…\n`)
  const res = spawnSync('go', ['install', `github.com/centrifugal/centrifugo/v6@${CENTRIFUGO_VERSION}`], {
    env: { ...process.env, GOBIN: dir }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 1_200_000
  })
  if (res.status !== 0 || !existsSync(bin)) throw new Error(`building Centrifugo failed (go install exit ${res.status}); is Go installed (infra/dev installs it)?`)
  return bin
}

/** Whether `port` (0: any) can be listened on; the port it got, or null. */
async function tryListen (port: number): Promise<number | null> {
  const server = createServer()
  const got = await new Promise<number | null>((resolve) => {
    server.once('error', () => resolve(null))
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port))
  })
  if (got !== null) await new Promise((resolve) => server.close(resolve))
  return got
}

/**
 * A port for the next server: any free one, or with BENCH_PORT_BASE the first free one of the ten
 * from there (a shared machine gives each engineer a port range; the ephemeral range may be CI's).
 */
async function freePort (): Promise<number> {
  const base = Number(process.env.BENCH_PORT_BASE ?? 0)
  if (!base) return (await tryListen(0))!
  for (let port = base; port < base + 10; port++) if (await tryListen(port) !== null) return port
  throw new Error(`no free port in ${base}–${base + 9} (BENCH_PORT_BASE)`)
}

function rssOf (pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
  } catch { return 0 }
}

async function startCentrifugo (): Promise<Running> {
  const bin = centrifugoBinary()
  const port = await freePort()
  const dir = join(process.env.BENCH_TMP ?? '/tmp', `bench-centrifugo-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  const config = join(dir, 'config.json')
  // The Redis broker (and presence) on the stack's Redis; no history, no presence: plain delivery, as
  // the issue measures it. Clients subscribe themselves and publish into the channels they are in.
  writeFileSync(config, JSON.stringify({
    http_server: { address: '127.0.0.1', port },
    log: { level: 'error' },
    engine: { type: 'redis', redis: { address: [process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'], prefix: `bench_cf_${process.pid}` } },
    client: { token: { hmac_secret_key: SECRET }, allowed_origins: ['*'] },
    channel: { without_namespace: { allow_subscribe_for_client: true, allow_publish_for_subscriber: true } },
    health: { enabled: true },
    usage_stats: { disabled: true }
  }))
  const child = spawn(bin, ['--config', config], { stdio: ['ignore', 'ignore', 'inherit'] })
  // Ready once its health endpoint answers.
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`)
      if (res.ok) break
    } catch {}
    if (i > 200 || child.exitCode !== null) { child.kill('SIGKILL'); throw new Error('Centrifugo did not start') }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    name: 'centrifugo',
    pids: [child.pid!],
    ports: [port],
    redisUrls: [REDIS_URL],
    memory: async () => rssOf(child.pid!),
    loop: async () => null,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

export async function start (name: SystemName, profile = false): Promise<Running> {
  if (name === 'centrifugo') return await startCentrifugo()
  if (name === 'realtime2') return await startRealtimePair(profile)
  if (name === 'realtime-cluster') return await startRealtimeOnCluster(profile)
  return await startNode(name, profile, name === 'before' ? {} : SINGLE_REDIS)
}

/** The credential each system's client presents (signed before the clock starts). */
export async function credential (name: SystemName, userId: string, roomId: string): Promise<string> {
  if (name === 'ws' || name === 'socketio') return ''
  if (speaksRealtime(name)) return await signTicket({ sub: userId, name: userId, room: roomId, role: 'guest', controlMode: 'everyone' }, SECRET, 3600)
  return await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600).sign(new TextEncoder().encode(SECRET))
}
