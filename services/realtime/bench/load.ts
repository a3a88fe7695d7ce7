// One measured run against one system: N plain ws clients in rooms of 10, one sender per room sending
// ~100-byte frames at RATE per second (realtime: chat.send, with the sender's position as packages/client
// sends it, and player.seek in turn; the peers: chat relays). Latency is from the sender's send to each member's receipt, on one clock (this process).
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createClient } from 'redis'
import { WebSocket } from 'ws'
import { credential, type Running, speaksRealtime, type SystemName } from './systems.js'

export const ROOM_SIZE = 10
const TEXT = 'the projector is warming up, popcorn is on the way, hold the seats!'

export interface RunOptions { connections: number, rate: number, seconds: number, warmupMs: number }

export interface RunResult {
  system: SystemName
  connections: number
  rate: number
  /** Time to open (and, where the protocol has it, authenticate and join) all N connections. */
  connectMs: number
  /** Server CPU seconds spent while opening them, per 1,000 connections (steadier than the time on a busy machine). */
  connectCpuPer1k: number
  sent: number
  expected: number
  delivered: number
  deliveredPct: number
  deliveriesPerSec: number
  p50: number
  p95: number
  p99: number
  max: number
  /** Server CPU seconds per 1,000 deliveries, over the measured window; Redis and Kafka apart. */
  cpuPer1k: number
  redisCpuPer1k: number
  kafkaCpuPer1k: number
  rssPerConnKiB: number
  /** Commands the system refused (realtime: stale player versions, answered to the sender only). */
  refused: number
  loop: { p99: number, max: number, mean: number } | null
}

/** Speaks one system's protocol over plain ws, as cheaply as the protocol allows. */
interface Dialect {
  url (port: number, roomId: string, cred: string): string
  open (socket: WebSocket, roomId: string, cred: string): void
  /** Reads one incoming message: whether the client is now ready, and the refs it delivers. */
  read (socket: WebSocket, text: string, onRef: (ref: string, text: string) => void): boolean
  frame (roomId: string, ref: string, n: number, version: number): string
}

function refOf (text: string, from = 0): string | null {
  const i = text.indexOf('"ref":"', from)
  if (i < 0) return null
  return text.slice(i + 7, text.indexOf('"', i + 7))
}

const dialects: Record<SystemName, Dialect> = {
  ws: {
    url: (port, roomId) => `ws://127.0.0.1:${port}/rooms/${roomId}/ws`,
    open: () => {},
    read: (_s, text, onRef) => { const ref = refOf(text); if (ref) onRef(ref, text); return true },
    frame: (_r, ref) => JSON.stringify({ type: 'chat', ref, text: TEXT })
  },
  realtime: {
    url: (port, roomId, cred) => `ws://127.0.0.1:${port}/rooms/${roomId}/ws?ticket=${cred}`,
    open: () => {},
    read: (_s, text, onRef) => {
      if (text.startsWith('{"type":"session.ready"')) return true
      const ref = refOf(text)
      if (ref) onRef(ref, text)
      return false
    },
    frame: (_r, ref, n, version) => n % 2 === 0
      ? JSON.stringify({ type: 'chat.send', ref, clientMessageId: randomUUID(), text: TEXT, positionMs: n })
      : JSON.stringify({ type: 'player.seek', ref, version, positionMs: n })
  },
  centrifugo: {
    url: (port) => `ws://127.0.0.1:${port}/connection/websocket`,
    // Commands may share a frame, one JSON per line; the subscribe is answered after the connect.
    open: (socket, roomId, cred) => socket.send(`${JSON.stringify({ id: 1, connect: { token: cred } })}\n${JSON.stringify({ id: 2, subscribe: { channel: roomId } })}`),
    read: (socket, text, onRef) => {
      let ready = false
      for (const line of text.split('\n')) {
        if (line === '{}') { socket.send('{}'); continue }
        if (line.startsWith('{"id":2,')) ready = true
        const ref = refOf(line)
        if (ref && line.startsWith('{"push"')) onRef(ref, line)
      }
      return ready
    },
    frame: (roomId, ref, n) => JSON.stringify({ id: 3 + n, publish: { channel: roomId, data: { ref, text: TEXT } } })
  },
  get before () { return dialects.realtime },
  get realtime2 () { return dialects.realtime },
  get 'realtime-cluster' () { return dialects.realtime },
  socketio: {
    url: (port, roomId) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&room=${roomId}`,
    open: () => {},
    // engine.io: 0 open, 2 ping (answer 3), 4 message; socket.io inside: 0 connect, 2 event.
    read: (socket, text, onRef) => {
      if (text.startsWith('0')) { socket.send('40'); return false }
      if (text === '2') { socket.send('3'); return false }
      if (text.startsWith('40')) return true
      const ref = refOf(text)
      if (ref) onRef(ref, text)
      return false
    },
    frame: (_r, ref) => `42${JSON.stringify(['chat', { ref, text: TEXT }])}`
  }
}

function ticks (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch { return NaN }
}

/** CPU seconds of every server process of the system. */
const serverTicks = (system: Running) => system.pids.reduce((sum, pid) => sum + ticks(pid), 0)

/** CPU seconds of the Redis servers, summed (one Redis, or every node of a cluster). */
async function redisCpu (nodes: Array<{ info (section: string): Promise<unknown> }>): Promise<number> {
  const infos = await Promise.all(nodes.map(async (node) => String(await node.info('cpu'))))
  return infos.reduce((sum, info) => sum + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0), 0)
}

function kafkaPid (): number {
  try { return Number(readFileSync(join(process.env.WT_STACK_DIR ?? '.stack', 'run', 'kafka.pid'), 'utf8').trim()) } catch { return 0 }
}

function percentile (sorted: Float64Array, p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function measure (system: Running, opts: RunOptions): Promise<RunResult> {
  const dialect = dialects[system.name]
  const redis = system.redisUrls.map((url) => createClient({ url }))
  await Promise.all(redis.map(async (node) => await node.connect()))
  const rooms = Array.from({ length: Math.ceil(opts.connections / ROOM_SIZE) }, () => randomUUID())
  const creds = await Promise.all(Array.from({ length: opts.connections }, (_, i) => credential(system.name, `u${i}`, rooms[Math.floor(i / ROOM_SIZE)]!)))
  const before = await system.memory()

  let windowStart = Infinity
  let windowEnd = Infinity
  let latencies = new Float64Array(1 << 20)
  let delivered = 0
  let refused = 0
  const versions = new Map<string, number>()
  const sockets: WebSocket[] = []

  const onRef = (roomId: string, isSender: boolean) => (ref: string, text: string) => {
    const sentAt = Number(ref)
    if (isSender && speaksRealtime(system.name)) {
      const v = /"version":(\d+)/.exec(text)
      if (v) versions.set(roomId, Math.max(versions.get(roomId) ?? 0, Number(v[1])))
    }
    if (sentAt < windowStart || sentAt > windowEnd) return
    // A refused command (a stale version, answered to the sender only) is no delivery and expects none.
    if (speaksRealtime(system.name) && (text.includes('"type":"player.command_rejected"') || text.startsWith('{"type":"error"'))) { refused++; return }
    if (delivered === latencies.length) { const grown = new Float64Array(latencies.length * 2); grown.set(latencies); latencies = grown }
    latencies[delivered++] = performance.now() - sentAt
  }

  function connect (i: number) {
    const roomId = rooms[Math.floor(i / ROOM_SIZE)]!
    const socket = new WebSocket(dialect.url(system.ports[i % system.ports.length]!, roomId, creds[i]!), { perMessageDeflate: false })
    sockets[i] = socket
    const deliver = onRef(roomId, i % ROOM_SIZE === 0)
    return new Promise<void>((resolve, reject) => {
      let ready = false
      socket.on('open', () => {
        dialect.open(socket, roomId, creds[i]!)
        if (system.name === 'ws') { ready = true; resolve() }
      })
      socket.on('message', (data: Buffer) => {
        const text = data.toString()
        if (!ready && speaksRealtime(system.name) && text.startsWith('{"type":"session.ready"')) {
          versions.set(roomId, (JSON.parse(text) as { state: { version: number } }).state.version)
        }
        if (dialect.read(socket, text, deliver) && !ready) { ready = true; resolve() }
      })
      socket.on('error', reject)
      socket.on('close', (code) => { if (!ready) reject(new Error(`${system.name}: socket ${i} closed (${code}) before it was ready`)) })
    })
  }

  // Connect in waves of 100 at a time, timed from the first to the last ready.
  const connectStart = performance.now()
  const connectCpu0 = serverTicks(system)
  for (let i = 0; i < opts.connections; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, opts.connections - i) }, (_, k) => connect(i + k)))
  }
  const connectMs = performance.now() - connectStart
  const connectCpuPer1k = (serverTicks(system) - connectCpu0) / (opts.connections / 1000)
  await sleep(1000)
  const idle = await system.memory()

  let n = 0
  let sent = 0
  const timers: NodeJS.Timeout[] = []
  rooms.forEach((roomId, r) => {
    timers.push(setTimeout(() => {
      const sender = sockets[r * ROOM_SIZE]!
      timers.push(setInterval(() => {
        if (sender.readyState !== WebSocket.OPEN) return
        const now = performance.now()
        if (now >= windowStart && now <= windowEnd) sent++
        sender.send(dialect.frame(roomId, now.toFixed(3), n++, versions.get(roomId) ?? 0))
      }, 1000 / opts.rate))
    }, Math.random() * (1000 / opts.rate)))
  })
  // Warm-up (JIT, the first Kafka sends to a new topic), then the measured window.
  await sleep(opts.warmupMs)
  await system.loop()
  const cpu0 = serverTicks(system)
  const redis0 = await redisCpu(redis)
  const kafka = kafkaPid()
  const kafka0 = kafka ? ticks(kafka) : NaN
  windowStart = performance.now()
  windowEnd = windowStart + opts.seconds * 1000
  await sleep(opts.seconds * 1000)
  const cpu1 = serverTicks(system)
  const redis1 = await redisCpu(redis)
  const kafka1 = kafka ? ticks(kafka) : NaN
  const loop = await system.loop()
  for (const timer of timers) { clearTimeout(timer); clearInterval(timer) }
  // Wait for the last window's frames: until every expected one arrived, at most 5 s.
  // (A refused command is counted once, at its sender: none of its ROOM_SIZE deliveries was due.)
  const expected = () => (sent - refused) * ROOM_SIZE
  for (let waited = 0; waited < 5000 && delivered < expected(); waited += 100) await sleep(100)

  for (const socket of sockets) socket.terminate()
  await Promise.all(redis.map(async (node) => await node.close()))
  const lat = latencies.slice(0, delivered).sort()
  const per1k = (seconds: number) => delivered > 0 ? seconds / (delivered / 1000) : NaN
  const due = expected()
  return {
    system: system.name,
    connections: opts.connections,
    rate: opts.rate,
    connectMs,
    connectCpuPer1k,
    sent,
    expected: due,
    delivered,
    deliveredPct: due > 0 ? Math.min(100, delivered / due * 100) : NaN,
    deliveriesPerSec: delivered / opts.seconds,
    p50: percentile(lat, 0.5),
    p95: percentile(lat, 0.95),
    p99: percentile(lat, 0.99),
    max: lat.length ? lat[lat.length - 1]! : NaN,
    cpuPer1k: per1k(cpu1 - cpu0),
    redisCpuPer1k: per1k(redis1 - redis0),
    kafkaCpuPer1k: per1k(kafka1 - kafka0),
    rssPerConnKiB: (idle - before) / opts.connections / 1024,
    refused,
    loop
  }
}
