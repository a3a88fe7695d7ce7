// A benchmark server in its own process, so its CPU and memory are measured apart from the clients':
//   realtime  the real app (Redis, Kafka outbox, Lua emit, pub/sub)
//   socketio  socket.io 4.8 with the Redis adapter: a minimal relay, what a team would write first
//   ws        a bare ws server doing the same fan-out in memory (the floor)
// It reports its port, answers 'memory' (after a GC) and 'loop' (event-loop delay since the last ask),
// and on 'stop' closes and removes what it made.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createAdapter } from '@socket.io/redis-adapter'
import { createClient, createCluster } from 'redis'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer, type WebSocket } from 'ws'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

const kind = process.argv[2]
const send = (msg: object) => process.send?.(msg)
/** Where to listen (bench/systems.ts picks it; 0 = any free port). */
const PORT = Number(process.env.BENCH_PORT ?? 0)
const loop = monitorEventLoopDelay({ resolution: 5 })
loop.enable()

function memory () {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed }
}

function loopDelay () {
  const figures = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, mean: loop.mean / 1e6 }
  loop.reset()
  return figures
}

let stop: () => Promise<void>

if (kind === 'ws') {
  const rooms = new Map<string, Set<WebSocket>>()
  const wss = new WebSocketServer({ host: '127.0.0.1', port: PORT, perMessageDeflate: false })
  wss.on('connection', (socket, request) => {
    const roomId = new URL(request.url ?? '/', 'http://x').pathname.split('/')[2] ?? ''
    let members = rooms.get(roomId)
    if (!members) rooms.set(roomId, members = new Set())
    members.add(socket)
    socket.on('message', (data) => {
      const { ref, text } = JSON.parse(data.toString()) as { ref: string, text: string }
      const frame = JSON.stringify({ type: 'chat.message_sent', ref, at: Date.now(), text })
      for (const member of members) member.send(frame)
    })
    socket.on('close', () => members.delete(socket))
  })
  await new Promise((resolve) => wss.on('listening', resolve))
  send({ port: (wss.address() as { port: number }).port })
  stop = async () => { for (const c of wss.clients) c.terminate(); await new Promise((resolve) => wss.close(resolve)) }
} else if (kind === 'socketio') {
  // The socket.io relay: each socket joins its room from the query; a 'chat' event goes to the whole room
  // through the Redis adapter (so it would reach the room's sockets on other instances too).
  // Overloaded, the adapter's Redis commands can time out (node-redis: 5 s); logged, not fatal.
  process.on('unhandledRejection', (err) => { console.error('socket.io relay:', (err as Error).message) })
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const pub = createClient({ url })
  const sub = pub.duplicate()
  await Promise.all([pub.connect(), sub.connect()])
  const http = createServer()
  const io = new SocketIoServer(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    adapter: createAdapter(pub, sub, { key: `bench_sio_${randomBytes(4).toString('hex')}` })
  })
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room ?? '')
    socket.join(room) as unknown
    socket.on('chat', (msg: { ref: string, text: string }) => {
      io.to(room).emit('chat', { type: 'chat.message_sent', ref: msg.ref, at: Date.now(), text: msg.text })
    })
  })
  await new Promise<void>((resolve) => http.listen(PORT, '127.0.0.1', resolve))
  send({ port: (http.address() as { port: number }).port })
  stop = async () => {
    await new Promise((resolve) => io.close(resolve))
    await Promise.all([pub.close(), sub.close()])
  }
} else {
  // Shared by the instances of one system (realtime2): one service, two processes.
  const suffix = process.env.BENCH_SUFFIX ?? randomBytes(4).toString('hex')
  const config = readConfig({
    ...process.env,
    LOG_LEVEL: 'error',
    NODE_ENV: process.env.BENCH_NODE_ENV ?? 'production',
    TICKET_SECRET: process.env.BENCH_TICKET_SECRET,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    REDIS_PREFIX: `bench_${suffix}`,
    KAFKA_TOPIC: `bench_${suffix}`,
    KAFKA_GROUP_ID: `bench_${suffix}`,
    CHAT_RATE_MAX: '10000',
    WS_PING_INTERVAL_MS: '600000'
  })
  const app = await buildApp(config, { consumeLifecycle: process.env.BENCH_LIFECYCLE === '1' })
  await app.listen({ host: '127.0.0.1', port: PORT })
  send({ port: (app.server.address() as { port: number }).port })
  stop = async () => {
    await app.close()
    // Leave nothing behind: the bench's keys and topic.
    if (config.REDIS_CLUSTER_NODES.length > 0) {
      // On a cluster: each primary's own keys, one by one (a multi-key UNLINK must keep to one slot).
      const cluster = createCluster({ rootNodes: config.REDIS_CLUSTER_NODES.map((n) => ({ url: `redis://${n}` })) })
      await cluster.connect()
      for (const master of cluster.masters) {
        const node = await cluster.nodeClient(master)
        for await (const keys of node.scanIterator({ MATCH: `${config.REDIS_PREFIX}:*`, COUNT: 1000 })) for (const key of keys) await node.unlink(key)
      }
      await cluster.close()
    } else {
      const redis = createClient({ url: config.REDIS_URL })
      await redis.connect()
      for await (const keys of redis.scanIterator({ MATCH: `${config.REDIS_PREFIX}:*`, COUNT: 1000 })) if (keys.length) await redis.unlink(keys)
      await redis.close()
    }
    const { createAdmin } = await import('@watch-together/kafka')
    const admin = createAdmin({ brokers: config.KAFKA_BROKERS, clientId: 'bench' })
    await admin.connect()
    await admin.deleteTopics([config.KAFKA_TOPIC]).catch(() => {})
    await admin.disconnect()
  }
}

process.on('message', (msg: string) => {
  if (msg === 'memory') send({ memory: memory() })
  if (msg === 'loop') send({ loop: loopDelay() })
  if (msg === 'stop') stop().then(() => process.exit(0), (err: Error) => { console.error(err); process.exit(1) })
})
