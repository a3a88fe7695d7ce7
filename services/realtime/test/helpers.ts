// Test helpers: the real app on a real port, real websocket clients, tickets signed like room-api's.
import { randomUUID } from 'node:crypto'
import type { ControlMode, MemberRole } from '@watch-together/protocol'
import { requireServer, stack, uniqueName } from '@watch-together/test-kit'
import type { FastifyInstance } from 'fastify'
import { createClient, createCluster } from 'redis'
import { WebSocket } from 'ws'
import { buildApp, type BuildOptions } from '../src/app.js'
import { readConfig, type Config } from '../src/config.js'
import type { RedisClient } from '../src/plugins/redis.js'
import { signTicket } from '../src/ticket.js'

export const TICKET_SECRET = 'test-ticket-secret-0123456789'

interface Teardown { teardown (fn: () => unknown): void }

/** The Redis the suite runs against: the cluster when REDIS_CLUSTER_NODES is set, else the one at REDIS_URL. */
export const redisWhere = stack.redisClusterNodes.length > 0 ? `cluster ${stack.redisClusterNodes.join(',')}` : stack.redisUrl
/** The environment a service gets for it. */
export const redisEnv = { REDIS_URL: stack.redisUrl, REDIS_CLUSTER_NODES: stack.redisClusterNodes.join(',') }

/** A plain connection to every node (one, or each node of the cluster): what CLIENT LIST/KILL need. */
export async function nodeClients (): Promise<RedisClient[]> {
  const urls = stack.redisClusterNodes.length > 0 ? stack.redisClusterNodes.map((n) => `redis://${n}`) : [stack.redisUrl]
  return await Promise.all(urls.map(async (url) => {
    // Generous: six cluster nodes beside a whole parallel suite on 2 cores answer slowly, not never
    // (3 s timed out in CI); a node that is really down still fails the probe, naming the server.
    const client = createClient({ url, socket: { connectTimeout: 15_000, reconnectStrategy: false } })
    client.on('error', () => {})
    await client.connect()
    return client as RedisClient
  }))
}

/** Kills the app's pub/sub connections on every node (as a Redis restart drops them); returns how many. */
export async function killSubscribers (admins: RedisClient[], prefix: string) {
  const name = `${prefix}:subscriber:`
  let killed = 0
  for (const admin of admins) {
    const lines = (await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']) as string).split('\n').filter((l) => l.includes(`name=${name}`))
    for (const line of lines) {
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(line)![1]!])
      killed++
    }
  }
  return killed
}

/** A client for the suite's Redis (one node or the cluster), for tests that read keys directly. */
export async function testRedis (t: Teardown): Promise<RedisClient> {
  const client = stack.redisClusterNodes.length > 0
    ? createCluster({ rootNodes: stack.redisClusterNodes.map((n) => ({ url: `redis://${n}` })) }) as unknown as RedisClient
    : createClient({ url: stack.redisUrl })
  client.on('error', () => {})
  await client.connect()
  t.teardown(() => client.close())
  return client
}

export async function requireRedis () {
  await requireServer('Redis', redisWhere, async () => {
    for (const probe of await nodeClients()) await probe.close()
  })
}

/** A config of its own per test file: key prefix, topic and consumer group. */
export function testConfig (env: Record<string, string> = {}): Config {
  return readConfig({
    ...redisEnv,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    TICKET_SECRET,
    REDIS_PREFIX: uniqueName('rt'),
    KAFKA_TOPIC: uniqueName('rt_topic'),
    KAFKA_GROUP_ID: uniqueName('rt_group'),
    ...env
  })
}

/** Builds and listens on 127.0.0.1:0; closed in teardown. Returns the ws base URL. */
export async function startApp (t: Teardown, config: Config, opts: BuildOptions = { consumeLifecycle: false }) {
  await requireRedis()
  const app = await buildApp(config, opts)
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { app, base: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` }
}

export interface Who { userId?: string, name?: string, role?: MemberRole, controlMode?: ControlMode, film?: { id: string, durationMs: number }, epoch?: number }

export async function ticket (roomId: string, who: Who = {}, ttlSeconds = 300, secret = TICKET_SECRET) {
  return await signTicket({
    sub: who.userId ?? `user-${randomUUID().slice(0, 8)}`,
    name: who.name ?? 'Viewer',
    room: roomId,
    role: who.role ?? 'guest',
    controlMode: who.controlMode ?? 'everyone',
    ...(who.film ? { film: who.film } : {}),
    ...(who.epoch !== undefined ? { epoch: who.epoch } : {})
  }, secret, ttlSeconds)
}

export type Frame = Record<string, any>

/** A real websocket client that keeps every frame and lets tests wait for the next matching one. */
export class TestClient {
  /**
   * room.counters arrive on a timer, unasked: tests that count frames would see them at random, so
   * they are kept out of the buffer unless a test file turns this on (counters.test.ts).
   */
  static keepCounters = false
  readonly socket: WebSocket
  readonly closed: Promise<{ code: number, reason: string }>
  private buffer: Frame[] = []
  private waiters: Array<() => void> = []

  constructor (url: string, headers: Record<string, string> = {}, autoPong = true) {
    this.socket = new WebSocket(url, { headers, autoPong })
    this.socket.on('message', (data, isBinary) => {
      const frame = isBinary ? { binary: true } : JSON.parse(data.toString())
      if (frame.type === 'room.counters' && !TestClient.keepCounters) return
      this.buffer.push(frame)
      for (const wake of this.waiters.splice(0)) wake()
    })
    this.socket.on('error', () => {})
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        for (const wake of this.waiters.splice(0)) wake()
      })
    })
  }

  /** Opens a room socket and waits for session.ready. */
  static async join (base: string, roomId: string, who: Who = {}, query = '') {
    const client = new TestClient(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, who)}${query}`)
    const ready = await client.next((f) => f.type === 'session.ready', 'session.ready')
    return { client, ready }
  }

  send (frame: unknown) {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Removes and returns the first frame (already received or coming) that matches. */
  async next (match: (f: Frame) => boolean, what = 'a frame', timeoutMs = 15_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.buffer.findIndex(match)
      if (i >= 0) return this.buffer.splice(i, 1)[0]!
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.buffer.map((f) => f.type))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  ofType (type: string, what?: string) {
    return this.next((f) => f.type === type, what ?? type)
  }

  pending () { return [...this.buffer] }

  async close () {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000)
    await this.closed
  }
}

export type App = FastifyInstance
