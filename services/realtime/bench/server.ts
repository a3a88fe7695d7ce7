// A benchmark server in its own process, so its memory is measured apart from the clients':
// `realtime` = the real app (Redis, Kafka, Lua emit, pub/sub); `ws` = a bare ws server doing the same fan-out in memory.
import { randomBytes } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

const kind = process.argv[2]
const send = (msg: object) => process.send?.(msg)

function memory () {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed }
}

if (kind === 'ws') {
  const rooms = new Map<string, Set<WebSocket>>()
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
  wss.on('connection', (socket, request) => {
    const roomId = new URL(request.url ?? '/', 'http://x').pathname.split('/')[2] ?? ''
    let members = rooms.get(roomId)
    if (!members) rooms.set(roomId, members = new Set())
    members.add(socket)
    socket.on('message', (data) => {
      const { ref } = JSON.parse(data.toString()) as { ref: string }
      const frame = JSON.stringify({ type: 'chat.message_sent', ref, at: Date.now() })
      for (const member of members) member.send(frame)
    })
    socket.on('close', () => members.delete(socket))
  })
  wss.on('listening', () => send({ port: (wss.address() as { port: number }).port }))
  process.on('message', (msg: string) => {
    if (msg === 'memory') send({ memory: memory() })
    if (msg === 'stop') { for (const c of wss.clients) c.terminate(); wss.close(() => process.exit(0)) }
  })
} else {
  const suffix = randomBytes(4).toString('hex')
  const config = readConfig({
    ...process.env,
    LOG_LEVEL: 'error',
    TICKET_SECRET: process.env.BENCH_TICKET_SECRET,
    REDIS_PREFIX: `bench_${suffix}`,
    KAFKA_TOPIC: `bench_${suffix}`,
    KAFKA_GROUP_ID: `bench_${suffix}`,
    CHAT_RATE_MAX: '10000',
    WS_PING_INTERVAL_MS: '600000'
  })
  const app = await buildApp(config, { consumeLifecycle: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  send({ port: (app.server.address() as { port: number }).port })
  process.on('message', (msg: string) => {
    if (msg === 'memory') send({ memory: memory() })
    if (msg === 'stop') {
      (async () => {
        await app.close()
        // Leave nothing behind: the bench's keys and topic.
        const { createClient } = await import('redis')
        const redis = createClient({ url: config.REDIS_URL })
        await redis.connect()
        for await (const keys of redis.scanIterator({ MATCH: `${config.REDIS_PREFIX}:*`, COUNT: 1000 })) if (keys.length) await redis.unlink(keys)
        await redis.close()
        const { createAdmin } = await import('@watch-together/kafka')
        const admin = createAdmin({ brokers: config.KAFKA_BROKERS, clientId: 'bench' })
        await admin.connect()
        await admin.deleteTopics([config.KAFKA_TOPIC]).catch(() => {})
        await admin.disconnect()
        process.exit(0)
      })().catch((err: Error) => { console.error(err); process.exit(1) })
    }
  })
}
