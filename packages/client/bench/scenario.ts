import { randomUUID } from 'node:crypto'
import type { PlayerState } from '@watch-together/protocol'
import type { DriftOptions } from '@watch-together/sync-core'
import { currentPosition } from '@watch-together/sync-core'
import { WebSocket } from 'ws'
import { ticket } from '../../../services/realtime/test/helpers.js'
import { SimulatedLink } from '../sim/simulated-link.js'
import { SimulatedMedia, trueNow } from '../sim/simulated-media.js'
import { attach, type MediaSync, RoomClient, type WebSocketConstructor } from '../src/index.js'
import { percentile, uniform } from './stats.js'

export interface Scenario {
  name: string
  clients: number
  seconds: number
  /** Mean gap between random member actions (ms); 0 = only the opening play. */
  actionEveryMs: number
  /** Mean gap between forced drops per client (ms); 0 = none. */
  dropEveryMs: number
  /** Each direction draws its own latency (the two differ) instead of one for both. */
  asymmetric: boolean
  jitterMs: number
  drift?: DriftOptions
}

export interface ScenarioResult {
  scenario: Scenario
  samples: number
  p50: number
  p95: number
  p99: number
  max: number
  convergeP50: number
  convergeP95: number
  convergeMax: number
  commands: number
  notConverged: number
  correctiveSeeksPerMin: number
  followSeeksPerMin: number
  rateChangesPerMin: number
  seeksInsideDeadZone: number
  drops: number
  /** Median over clients of the physical bound |up − down| / 2 (ms). */
  boundP50: number
  /** Share of settled samples with |error| ≤ that client's bound + 20 ms. */
  withinBoundShare: number
}

interface Member { offsetMs: number, client: RoomClient, media: SimulatedMedia, sync: MediaSync, link: SimulatedLink, boundMs: number, errors: Array<[number, number]> }

const SAMPLE_MS = 50
const SETTLE_MS = 1000
const CONVERGED_MS = 20
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs one scenario against the realtime service at `base`: K simulated viewers in one room. */
export async function runScenario (base: string, scenario: Scenario, random: () => number): Promise<ScenarioResult> {
  const roomId = randomUUID()
  const timers: Array<ReturnType<typeof setTimeout>> = []
  const observer = new RoomClient({ url: base, roomId, ticket: () => ticket(roomId, { userId: 'observer' }), WebSocket: WebSocket as unknown as WebSocketConstructor })
  await observer.connect()
  const commands: number[] = []
  observer.on('state', (_s, change) => { if (change) commands.push(trueNow()) })

  const members: Member[] = []
  const startedAtRef = { value: 0 }
  for (let i = 0; i < scenario.clients; i++) {
    const offset = uniform(random, -5000, 5000)
    const up = uniform(random, 20, 150)
    const down = scenario.asymmetric ? uniform(random, 20, 150) : up
    const link = new SimulatedLink({ upMs: up, downMs: down, jitterMs: scenario.jitterMs, random })
    const client = new RoomClient({
      url: base,
      roomId,
      ticket: () => ticket(roomId, { userId: `viewer-${i}`, name: `Viewer ${i}` }),
      WebSocket: link.WebSocket,
      now: () => trueNow() + offset
    })
    const media = new SimulatedMedia({ skewPpm: uniform(random, -100, 100), startLatencyMs: uniform(random, 5, 40), seekLatencyMs: uniform(random, 10, 80) })
    if (process.env.ACC_DEBUG) {
      process.stderr.write(`connecting viewer ${i}\n`)
      client.on('connection', (st, info) => process.stderr.write(`viewer ${i}: ${st} ${JSON.stringify(info)}\n`))
      client.on('error', (e) => process.stderr.write(`viewer ${i}: error ${e.code} ${e.message}\n`))
    }
    await client.connect()
    const debug = process.env.ACC_DEBUG ? (line: string) => process.stderr.write(`viewer ${i} +${((trueNow() - (startedAtRef.value || trueNow())) / 1000).toFixed(2)}: ${line}\n`) : undefined
    const sync = attach(client, media, { drift: scenario.drift, debug, onItem: () => media.load(uniform(random, 50, 300)) })
    members.push({ offsetMs: offset, client, media, sync, link, boundMs: Math.abs(up - down) / 2, errors: [] })
  }
  await observer.replaceQueue(['item-0', 'item-1', 'item-2', 'item-3', 'item-4'])
  await sleep(500)
  await observer.play(300)
  const startedAt = trueNow()
  startedAtRef.value = startedAt

  const sampler = setInterval(() => {
    const state = observer.state
    if (!state) return
    const at = trueNow()
    const ideal = idealAt(state, at)
    // Accuracy matters while the room plays (a paused one is trivially exact once converged).
    if (!state.playing || at < state.refAt) return
    for (const m of members) m.errors.push([at, m.media.positionMs(at) - ideal])
  }, SAMPLE_MS)

  const after = (meanMs: number, fn: () => void) => {
    const schedule = () => timers.push(setTimeout(() => { fn(); schedule() }, -Math.log(1 - random()) * meanMs))
    schedule()
  }
  // An action counts from the moment the viewer acts (its own media moves before the room hears of it).
  if (scenario.actionEveryMs > 0) after(scenario.actionEveryMs, () => { commands.push(trueNow()); randomAction(members, observer.state, random) })
  if (scenario.dropEveryMs > 0) for (const m of members) after(scenario.dropEveryMs, () => m.link.drop())

  await sleep(scenario.seconds * 1000)
  clearInterval(sampler)
  for (const timer of timers) clearTimeout(timer)
  const endedAt = trueNow()
  if (process.env.ACC_DEBUG) {
    for (const [i, m] of members.entries()) {
      const worst = m.errors.reduce((w, e) => Math.abs(e[1]) > Math.abs(w[1]) ? e : w, [0, 0])
      const last = m.errors.at(-1)
      process.stderr.write(`viewer ${i}: worst ${worst[1].toFixed(1)} at +${((worst[0] - startedAt) / 1000).toFixed(2)} s; last ${last?.[1].toFixed(1)}; ` +
        `v${m.client.state?.version}/${observer.state?.version} item ${m.client.state?.itemId}/${observer.state?.itemId} paused ${m.media.paused} ` +
        `clockErr ${((m.client.clock.offset() ?? 0) + m.offsetMs).toFixed(1)} bound ${m.client.clock.errorBound()?.toFixed(1)} ` +
        `leads ${JSON.stringify(m.sync.leads)} stats ${JSON.stringify(m.sync.stats)}\n`)
    }
    for (const [i, m] of members.entries()) {
      const trace = m.errors.filter((_e, j) => j % 5 === 0).map(([t, e]) => `${((t - startedAt) / 1000).toFixed(1)}:${e.toFixed(0)}`)
      process.stderr.write(`trace ${i}: ${trace.join(' ')}\n`)
    }
    process.stderr.write(`commands at ${commands.map((c) => ((c - startedAt) / 1000).toFixed(2)).join(', ')}\n`)
  }
  for (const m of members) { m.sync.detach(); m.client.close() }
  observer.close()
  return summarize(scenario, members, commands.filter((c) => c >= startedAt - 1000).sort((a, b) => a - b), endedAt)
}

function idealAt (state: PlayerState, at: number) {
  return currentPosition(state, at, 4 * 3_600_000)
}

/**
 * A member does something at random, the way a viewer would: on the player, or in the queue.
 * A paused room is mostly resumed next, so rooms spend most of the time playing, as real ones do.
 */
function randomAction (members: Member[], state: PlayerState | null, random: () => number) {
  const m = members[Math.floor(random() * members.length)]!
  const roll = random()
  if (!state?.playing) {
    if (roll < 0.7) m.media.userPlay()
    else m.media.userSeek(uniform(random, 0, 3_600_000))
  } else if (roll < 0.25) {
    m.media.userPause()
  } else if (roll < 0.75) {
    m.media.userSeek(uniform(random, 0, 3_600_000))
  } else {
    m.client.jump(Math.floor(random() * 5)).catch(() => {})
  }
}

function summarize (scenario: Scenario, members: Member[], commands: number[], endedAt: number): ScenarioResult {
  const lastCommandBefore = (t: number) => {
    let last = -Infinity
    for (const c of commands) if (c <= t) last = c
    return last
  }
  const settled: number[] = []
  let within = 0
  for (const m of members) {
    for (const [t, err] of m.errors) {
      if (t - lastCommandBefore(t) < SETTLE_MS) continue
      settled.push(Math.abs(err))
      if (process.env.ACC_DEBUG && Math.abs(err) > 1000) process.stderr.write(`settled outlier ${err.toFixed(0)} at ${t.toFixed(0)} last command ${lastCommandBefore(t).toFixed(0)} commands ${commands.map((c) => c.toFixed(0)).join(',')}\n`)
      if (Math.abs(err) <= m.boundMs + CONVERGED_MS) within++
    }
  }
  // Convergence: from a command until every client stays within CONVERGED_MS (+ its bound) till the next one.
  const converge: number[] = []
  let notConverged = 0
  for (const [i, c] of commands.entries()) {
    const next = commands[i + 1] ?? endedAt
    if (next - c < 2 * SETTLE_MS) continue
    let worst = 0
    let failed = false
    // A command after which the room stayed paused has nothing to converge (no samples): skipped.
    if (!members.some((m) => m.errors.some(([t]) => t >= c && t < next))) continue
    for (const m of members) {
      const window = m.errors.filter(([t]) => t >= c && t < next)
      let lastBad = -1
      for (const [j, [, err]] of window.entries()) if (Math.abs(err) > CONVERGED_MS + m.boundMs) lastBad = j
      if (lastBad === window.length - 1 && window.length > 0) failed = true
      const doneAt = lastBad < 0 ? c : window[lastBad]![0] + SAMPLE_MS
      worst = Math.max(worst, doneAt - c)
    }
    if (failed) notConverged++
    else converge.push(worst)
  }
  const minutes = members.length * scenario.seconds / 60
  const sum = (f: (m: Member) => number) => members.reduce((a, m) => a + f(m), 0)
  return {
    scenario,
    samples: settled.length,
    p50: percentile(settled, 50),
    p95: percentile(settled, 95),
    p99: percentile(settled, 99),
    max: settled.length ? Math.max(...settled) : NaN,
    convergeP50: percentile(converge, 50),
    convergeP95: percentile(converge, 95),
    convergeMax: converge.length ? Math.max(...converge) : NaN,
    commands: converge.length + notConverged,
    notConverged,
    correctiveSeeksPerMin: sum((m) => m.sync.stats.correctiveSeeks) / minutes,
    followSeeksPerMin: sum((m) => m.sync.stats.followSeeks) / minutes,
    rateChangesPerMin: sum((m) => m.sync.stats.rateChanges) / minutes,
    seeksInsideDeadZone: sum((m) => m.sync.stats.seeksInsideDeadZone),
    drops: sum((m) => m.link.drops),
    boundP50: percentile(members.map((m) => m.boundMs), 50),
    withinBoundShare: settled.length ? within / settled.length : NaN
  }
}
