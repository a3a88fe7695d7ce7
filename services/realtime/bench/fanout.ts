// Fan-out benchmark: N clients in rooms of 10, one sender per room sending chat and player commands;
// the realtime app vs a bare ws server doing the same fan-out, measured in the same run (127.0.0.1 only).
//   pnpm --filter @watch-together/realtime bench      (BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_RATE to change)
import { fork, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { signTicket } from '../src/ticket.js'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 2000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
/** Messages per room per second (one sender per room). */
const RATE = Number(process.env.BENCH_RATE ?? 2)
const ROOM_SIZE = 10
const SECRET = 'bench-ticket-secret-0123456789'

interface Result { kind: string, deliveriesPerSec: number, p50: number, p99: number, rssPerConn: number, heapPerConn: number, received: number }

function request<T> (child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (msg: Record<string, T>) => { if (key in msg) { child.off('message', onMessage); resolve(msg[key]!) } }
    child.on('message', onMessage)
    if (message) child.send(message)
  })
}

function percentile (sorted: number[], p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN
}

async function run (kind: 'ws' | 'realtime'): Promise<Result> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [kind], {
    execArgv: ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_PROFILE && kind === 'realtime' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/rt-prof'] : [])],
    env: { ...process.env, BENCH_TICKET_SECRET: SECRET }
  })
  const port = await request<number>(child, '', 'port')
  const before = await request<{ rss: number, heap: number }>(child, 'memory', 'memory')

  const rooms = Array.from({ length: Math.ceil(CONNECTIONS / ROOM_SIZE) }, () => randomUUID())
  const latencies: number[] = []
  let received = 0
  let measuring = false
  const sockets: WebSocket[] = []
  const versions = new Map<string, number>()

  async function connect (i: number) {
    const roomId = rooms[Math.floor(i / ROOM_SIZE)]!
    const url = kind === 'ws'
      ? `ws://127.0.0.1:${port}/rooms/${roomId}/ws`
      : `ws://127.0.0.1:${port}/rooms/${roomId}/ws?ticket=${await signTicket({ sub: `u${i}`, name: `u${i}`, room: roomId, role: 'guest', controlMode: 'everyone' }, SECRET, 3600)}`
    const socket = new WebSocket(url, { perMessageDeflate: false })
    sockets[i] = socket
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string, ref?: string, state?: { version: number } }
        if (frame.type === 'session.ready') { versions.set(roomId, frame.state!.version); resolve() }
        if (frame.state) versions.set(roomId, Math.max(versions.get(roomId) ?? 0, frame.state.version))
        if (frame.ref && measuring) { latencies.push(Date.now() - Number(frame.ref)); received++ }
        if (process.env.BENCH_DEBUG && frame.ref && Date.now() - Number(frame.ref) > 200) console.log(kind, frame.type, Date.now() - Number(frame.ref), new Date().toISOString(), measuring)
      })
      socket.on('error', reject)
      if (kind === 'ws') socket.on('open', () => resolve())
    })
  }
  for (let i = 0; i < CONNECTIONS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, CONNECTIONS - i) }, (_, k) => connect(i + k)))
  }
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const idle = await request<{ rss: number, heap: number }>(child, 'memory', 'memory')

  let n = 0
  const timers = rooms.map((roomId, r) => setTimeout(() => {
    const sender = sockets[r * ROOM_SIZE]!
    const tick = () => {
      const ref = String(Date.now())
      // Every other message is a player command (version-checked), the rest chat.
      const frame = n++ % 2 === 0
        ? { type: 'chat.send', ref, clientMessageId: randomUUID(), text: 'bench' }
        : { type: 'player.seek', ref, version: versions.get(roomId) ?? 0, positionMs: n }
      sender.send(JSON.stringify(frame))
    }
    timers[r] = setInterval(tick, 1000 / RATE) as unknown as NodeJS.Timeout
  }, Math.random() * (1000 / RATE)))
  // Warm-up (JIT, the outbox's first Kafka sends to a new topic), then the measured window.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_WARMUP_MS ?? 3000)))
  measuring = true
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000))
  for (const timer of timers) { clearTimeout(timer); clearInterval(timer) }
  await new Promise((resolve) => setTimeout(resolve, 1000))
  measuring = false

  for (const socket of sockets) socket.terminate()
  child.send('stop')
  await new Promise((resolve) => child.on('exit', resolve))
  latencies.sort((a, b) => a - b)
  return {
    kind,
    deliveriesPerSec: received / SECONDS,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    rssPerConn: (idle.rss - before.rss) / CONNECTIONS / 1024,
    heapPerConn: (idle.heap - before.heap) / CONNECTIONS / 1024,
    received
  }
}

const results = [await run('ws'), await run('realtime')]
const [base, rt] = results as [Result, Result]
const fmt = (v: number, d = 1) => Number.isFinite(v) ? v.toFixed(d) : 'n/a'
console.log(`\n${CONNECTIONS} connections, rooms of ${ROOM_SIZE}, ${RATE} msg/s per room (chat + player.seek), ${SECONDS} s\n`)
console.log('| server | deliveries/s | p50 fan-out ms | p99 fan-out ms | RSS KiB/conn | heap KiB/conn |')
console.log('|---|---|---|---|---|---|')
for (const r of results) console.log(`| ${r.kind} | ${fmt(r.deliveriesPerSec, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.rssPerConn)} | ${fmt(r.heapPerConn)} |`)
console.log(`| ratio realtime / ws | ${fmt(rt.deliveriesPerSec / base.deliveriesPerSec, 2)} | ${fmt(rt.p50 / Math.max(base.p50, 1), 2)} | ${fmt(rt.p99 / Math.max(base.p99, 1), 2)} | ${fmt(rt.rssPerConn / base.rssPerConn, 2)} | ${fmt(rt.heapPerConn / base.heapPerConn, 2)} |`)
console.log('\n(latency: sender clock to receiver clock, same machine; ratios of latency use max(ws, 1 ms))')
// BENCH_JSON=path: the same figures as JSON, for infra/bench (pnpm bench).
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ connections: CONNECTIONS, seconds: SECONDS, rate: RATE, results }, null, 2))
process.exit(0)
