import type { Member, Scenario, ScenarioResult } from './scenario.js'
import { percentile } from './stats.js'

export const SAMPLE_MS = 50
/** Error percentiles count samples from this long after a command on. */
export const SETTLE_MS = 1000
/** The goal band: a client has converged once it stays within this (+ its physical bound) of the ideal. */
export const CONVERGED_MS = 20

/**
 * Turns the samples into the table's figures.
 *
 * Errors: |shown − ideal| of samples taken while the room plays, from SETTLE_MS after the last command.
 *
 * Convergence, per client and command: from the command (a member's action counts from the moment the
 * member acts; a room change nobody acted for, e.g. the opening play, from when the room applied it)
 * until that client's shown position stays within CONVERGED_MS (+ its bound) of the ideal until the next
 * command. Every sample counts here, paused room and scheduled start included: holding the wrong frame
 * while the room waits is not converged. A command followed by another within 2 × SETTLE_MS is not
 * measured (nothing can settle). A client that was disconnected between the command and its convergence
 * cannot know of the command: its figure goes to the reconnect column, not the goal's.
 */
export function summarize (scenario: Scenario, members: Member[], commands: number[], endedAt: number): ScenarioResult {
  const lastCommandBefore = (t: number) => {
    let last = -Infinity
    for (const c of commands) if (c <= t) last = c
    return last
  }
  const settled: number[] = []
  let within = 0
  for (const m of members) {
    for (const s of m.errors) {
      if (!s.playing || s.at - lastCommandBefore(s.at) < SETTLE_MS) continue
      settled.push(Math.abs(s.error))
      if (Math.abs(s.error) <= m.boundMs + CONVERGED_MS) within++
    }
  }
  const connected: number[] = []
  const reconnected: number[] = []
  const room: number[] = []
  let notConverged = 0
  let measured = 0
  for (const [i, c] of commands.entries()) {
    const next = commands[i + 1] ?? endedAt
    if (next - c < 2 * SETTLE_MS) continue
    measured++
    let worst = 0
    let roomFailed = false
    for (const m of members) {
      const window = m.errors.filter((s) => s.at >= c && s.at < next)
      if (window.length === 0) continue
      let lastBad = -1
      for (const [j, s] of window.entries()) if (Math.abs(s.error) > CONVERGED_MS + m.boundMs) lastBad = j
      const failed = lastBad === window.length - 1
      const doneAt = failed ? next : lastBad < 0 ? c : window[lastBad]!.at + SAMPLE_MS
      const offline = m.offline.some(([from, to]) => from < doneAt && to > c)
      if (failed) { notConverged++; roomFailed = true; continue }
      ;(offline ? reconnected : connected).push(doneAt - c)
      if (process.env.ACC_DEBUG && doneAt - c > 700) {
        process.stderr.write(`slow: client ${members.indexOf(m)} command at +${((c - members[0]!.errors[0]!.at + SAMPLE_MS) / 1000).toFixed(2)} s took ${(doneAt - c).toFixed(0)} ms${offline ? ' (offline)' : ''}: ` +
        window.filter((_s, j) => j % 2 === 0 && j < 30).map((s) => `${s.error.toFixed(0)}${s.playing ? '' : 'p'}`).join(' ') + '\n')
      }
      worst = Math.max(worst, doneAt - c)
    }
    if (!roomFailed) room.push(worst)
  }
  const minutes = members.length * scenario.seconds / 60
  const sum = (f: (m: Member) => number) => members.reduce((a, m) => a + f(m), 0)
  return {
    scenario,
    samples: settled.length,
    settledErrors: settled,
    p50: percentile(settled, 50),
    p95: percentile(settled, 95),
    p99: percentile(settled, 99),
    max: settled.length ? Math.max(...settled) : NaN,
    convergeP50: percentile(connected, 50),
    convergeP95: percentile(connected, 95),
    convergeMax: connected.length ? Math.max(...connected) : NaN,
    convergeCount: connected.length,
    roomConvergeP95: percentile(room, 95),
    reconnectP50: percentile(reconnected, 50),
    reconnectP95: percentile(reconnected, 95),
    reconnectCount: reconnected.length,
    commands: measured,
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
