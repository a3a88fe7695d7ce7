import { randomUUID } from 'node:crypto'
import type { PlayerState } from '@watch-together/protocol'
import type { DriftOptions } from '@watch-together/sync-core'
import { currentPosition } from '@watch-together/sync-core'
import { WebSocket } from 'ws'
import { ticket } from '../../../services/realtime/test/helpers.js'
import { SimulatedLink } from '../sim/simulated-link.js'
import { SimulatedMedia, trueNow } from '../sim/simulated-media.js'
import { attach, type MediaSync, RoomClient, type WebSocketConstructor } from '../src/index.js'
import { uniform } from './stats.js'
import { SAMPLE_MS, summarize } from './summary.js'

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
  /** Seek / start latency varies by ± this share from one to the next (default 0.5). */
  latencyJitter?: number
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
  /** (command, client) pairs in the convergence figures: clients connected throughout. */
  convergeCount: number
  /** p95 of the time until every client of the room has converged (the slowest client per command). */
  roomConvergeP95: number
  /** Convergence of clients that were disconnected meanwhile (reconnect, resume, catch up). */
  reconnectP50: number
  reconnectP95: number
  reconnectCount: number
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
  /** Every settled |error| sample (ms), for plots. */
  settledErrors: number[]
}

/** One sample: shown − ideal (ms) at true time `at`; `playing` = the room plays and its start instant has passed. */
export interface Sample { at: number, error: number, playing: boolean }

export interface Member {
  offsetMs: number
  client: RoomClient
  media: SimulatedMedia
  sync: MediaSync
  link: SimulatedLink
  boundMs: number
  errors: Sample[]
  /** [from, to] true times while the client had no open connection. */
  offline: Array<[number, number]>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs one scenario against the realtime service at `base`: K simulated viewers in one room. */
export async function runScenario (base: string, scenario: Scenario, random: () => number): Promise<ScenarioResult> {
  const roomId = randomUUID()
  const timers: Array<ReturnType<typeof setTimeout>> = []
  const observer = new RoomClient({ url: base, roomId, ticket: () => ticket(roomId, { userId: 'observer' }), WebSocket: WebSocket as unknown as WebSocketConstructor })
  await observer.connect()
  // A member's action counts from the moment the member acts; the room change it causes is the same
  // command, not another one. Room changes nobody acted for (the opening play) count from when applied.
  const commands: number[] = []
  let acted: number | null = null
  observer.on('state', (_s, change) => {
    if (!change) return
    if (acted !== null && trueNow() - acted < 2000) acted = null
    else commands.push(trueNow())
  })

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
    const media = new SimulatedMedia({
      skewPpm: uniform(random, -100, 100),
      startLatencyMs: uniform(random, 5, 40),
      seekLatencyMs: uniform(random, 10, 80),
      latencyJitter: scenario.latencyJitter ?? 0.5,
      random
    })
    if (process.env.ACC_DEBUG) {
      process.stderr.write(`connecting viewer ${i}\n`)
      client.on('connection', (st, info) => process.stderr.write(`viewer ${i}: ${st} ${JSON.stringify(info)}\n`))
      client.on('error', (e) => process.stderr.write(`viewer ${i}: error ${e.code} ${e.message}\n`))
    }
    await client.connect()
    const debug = process.env.ACC_DEBUG ? (line: string) => process.stderr.write(`viewer ${i} +${((trueNow() - (startedAtRef.value || trueNow())) / 1000).toFixed(2)}: ${line}\n`) : undefined
    const sync = attach(client, media, { drift: scenario.drift, debug, onItem: () => media.load(uniform(random, 50, 300)) })
    const member: Member = { offsetMs: offset, client, media, sync, link, boundMs: Math.abs(up - down) / 2, errors: [], offline: [] }
    client.on('connection', (status) => {
      const last = member.offline.at(-1)
      if (status !== 'open' && (!last || last[1] !== Infinity)) member.offline.push([trueNow(), Infinity])
      if (status === 'open' && last && last[1] === Infinity) last[1] = trueNow()
    })
    members.push(member)
  }
  await observer.replaceQueue(['item-0', 'item-1', 'item-2', 'item-3', 'item-4'])
  await sleep(500)
  await observer.play(300)
  const startedAt = trueNow()
  startedAtRef.value = startedAt

  const serverClock = new ServerClock()
  const sampler = setInterval(() => {
    const state = observer.state
    if (!state) return
    const at = trueNow()
    const serverAt = serverClock.at(at)
    const ideal = idealAt(state, serverAt)
    // Error percentiles only count a playing room (a paused one is trivially exact once converged);
    // convergence counts every sample.
    const playing = state.playing && serverAt >= state.refAt
    for (const m of members) m.errors.push({ at, error: m.media.positionMs(at) - ideal, playing })
  }, SAMPLE_MS)

  const after = (meanMs: number, fn: () => void) => {
    const schedule = () => timers.push(setTimeout(() => { fn(); schedule() }, -Math.log(1 - random()) * meanMs))
    schedule()
  }
  // An action counts from the moment the viewer acts (its own media moves before the room hears of it).
  if (scenario.actionEveryMs > 0) after(scenario.actionEveryMs, () => { acted = trueNow(); commands.push(acted); randomAction(members, observer.state, random) })
  if (scenario.dropEveryMs > 0) for (const m of members) after(scenario.dropEveryMs, () => m.link.drop())

  await sleep(scenario.seconds * 1000)
  clearInterval(sampler)
  for (const timer of timers) clearTimeout(timer)
  const endedAt = trueNow()
  if (process.env.ACC_DEBUG) {
    for (const [i, m] of members.entries()) {
      const worst = m.errors.filter((e) => e.playing).reduce((w, e) => Math.abs(e.error) > Math.abs(w.error) ? e : w, { at: 0, error: 0, playing: true })
      const last = m.errors.at(-1)
      process.stderr.write(`viewer ${i}: worst ${worst.error.toFixed(1)} at +${((worst.at - startedAt) / 1000).toFixed(2)} s; last ${last?.error.toFixed(1)}; ` +
        `v${m.client.state?.version}/${observer.state?.version} item ${m.client.state?.itemId}/${observer.state?.itemId} paused ${m.media.paused} ` +
        `clockErr ${((m.client.clock.offset() ?? 0) + m.offsetMs).toFixed(1)} bound ${m.client.clock.errorBound()?.toFixed(1)} ` +
        `leads ${JSON.stringify(m.sync.leads)} stats ${JSON.stringify(m.sync.stats)}\n`)
    }
    for (const [i, m] of members.entries()) {
      const trace = m.errors.filter((_e, j) => j % 5 === 0).map((e) => `${((e.at - startedAt) / 1000).toFixed(1)}:${e.error.toFixed(0)}${e.playing ? '' : 'p'}`)
      process.stderr.write(`trace ${i}: ${trace.join(' ')}\n`)
    }
    process.stderr.write(`commands at ${commands.map((c) => ((c - startedAt) / 1000).toFixed(2)).join(', ')}\n`)
  }
  for (const m of members) { m.sync.detach(); m.client.close() }
  observer.close()
  return summarize(scenario, members, commands.filter((c) => c >= startedAt - 1000).sort((a, b) => a - b), endedAt)
}

function idealAt (state: PlayerState, serverAt: number) {
  return currentPosition(state, serverAt, 4 * 3_600_000)
}

/**
 * The service stamps states with Date.now(); the media clocks run on performance time. The two
 * can differ (and drift apart while the OS slews the wall clock), so the ideal position is taken
 * at the server's clock: the largest recent Date.now() − trueNow() (Date.now() is whole ms).
 */
class ServerClock {
  private readonly diffs: number[] = []
  at (trueAt: number) {
    this.diffs.push(Date.now() - trueAt)
    if (this.diffs.length > 40) this.diffs.shift()
    return trueAt + Math.max(...this.diffs)
  }
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
