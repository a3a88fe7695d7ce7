// Property-based tests (fast-check): invariants that must hold for any input, not just examples.
import fc from 'fast-check'
import type { PlayerFrame, PlayerState } from '@watch-together/protocol'
import t from 'tap'
import { applyCommand, ClockSync, currentPosition, DEFAULT_DRIFT_OPTIONS, DriftController, initialState } from '../src/index.js'

const T0 = 1_700_000_000_000
const runs = { numRuns: 300 }

/** Any player command (version filled in later); positions and indexes may be out of range on purpose. */
const commandArb: fc.Arbitrary<Omit<PlayerFrame, 'version'>> = fc.oneof(
  fc.record({ type: fc.constant('player.play' as const), leadMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }) }),
  fc.record({ type: fc.constant('player.pause' as const) }),
  fc.record({ type: fc.constant('player.seek' as const), positionMs: fc.integer({ min: 0, max: 1e9 }), leadMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }) }),
  fc.record({ type: fc.constant('player.set_rate' as const), rate: fc.double({ min: 0.25, max: 4, noNaN: true }) }),
  fc.record({ type: fc.constant('player.next' as const) }),
  fc.record({ type: fc.constant('player.previous' as const) }),
  fc.record({ type: fc.constant('player.jump' as const), index: fc.nat(6) }),
  fc.record({ type: fc.constant('player.replace_queue' as const), items: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 4 }), index: fc.option(fc.nat(4), { nil: undefined }) }),
  fc.record({ type: fc.constant('player.append_queue' as const), items: fc.array(fc.constantFrom('d', 'e'), { minLength: 1, maxLength: 2 }) })
)
/** Commands with the gap (ms) since the previous one. */
const historyArb = fc.array(fc.tuple(commandArb, fc.nat(600_000)), { maxLength: 25 })

function replay (history: Array<[Omit<PlayerFrame, 'version'>, number]>, durationMs?: number) {
  let state: PlayerState = initialState(T0)
  let now = T0
  const seen: Array<{ state: PlayerState, now: number }> = [{ state, now }]
  for (const [command, gap] of history) {
    now += gap
    const result = applyCommand(state, { ...command, version: state.version } as PlayerFrame, 'u', now, { durationMs })
    if (result.ok) state = result.state
    seen.push({ state, now })
  }
  return seen
}

t.test('a position is never negative and never passes the item\'s end', async (t) => {
  fc.assert(fc.property(historyArb, fc.integer({ min: 1, max: 4 * 3_600_000 }), fc.nat(10 * 3_600_000), (history, durationMs, later) => {
    for (const { state, now } of replay(history, durationMs)) {
      for (const at of [now, now + later, now - 1000]) {
        const position = currentPosition(state, at, durationMs)
        if (!(position >= 0 && position <= durationMs)) return false
      }
    }
    return true
  }), runs)
  t.pass('held for every history')
})

t.test('pause keeps the elapsed position, and it then stays still', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 3_600_000 }), fc.double({ min: 0.25, max: 4, noNaN: true }), fc.integer({ min: 0, max: 5000 }),
    fc.nat(3_600_000), fc.nat(3_600_000),
    (positionMs, rate, leadMs, playedMs, afterMs) => {
      const paused: PlayerState = { ...initialState(T0), queue: ['a'], itemId: 'a', positionMs, rate }
      const playing = applyCommand(paused, { type: 'player.play', version: 0, leadMs }, 'u', T0)
      if (!playing.ok) return false
      const pauseAt = T0 + leadMs + playedMs
      const result = applyCommand(playing.state, { type: 'player.pause', version: 1 }, 'u', pauseAt)
      if (!result.ok) return false
      const expected = positionMs + playedMs * rate
      return Math.abs(result.state.positionMs - expected) < 1e-6 &&
        currentPosition(result.state, pauseAt + afterMs) === result.state.positionMs
    }), runs)
  t.pass('held')
})

t.test('the same command applied twice by version is a no-op', async (t) => {
  fc.assert(fc.property(historyArb, commandArb, fc.nat(60_000), (history, command, gap) => {
    const last = replay(history).at(-1)!
    const frame = { ...command, version: last.state.version } as PlayerFrame
    const first = applyCommand(last.state, frame, 'u', last.now + gap)
    const after = first.ok ? first.state : last.state
    const again = applyCommand(after, frame, 'u', last.now + gap + 5)
    if (!first.ok) return !again.ok // a refused command stays refused and changes nothing
    return !again.ok && again.code === 'RT_STALE_VERSION' && after.version === last.state.version + 1
  }), runs)
  t.pass('held')
})

t.test('the estimator\'s error stays within its reported bound under random asymmetric delays', async (t) => {
  const exchangeArb = fc.record({
    up: fc.double({ min: 0.1, max: 400, noNaN: true }),
    down: fc.double({ min: 0.1, max: 400, noNaN: true }),
    work: fc.double({ min: 0, max: 50, noNaN: true }),
    gap: fc.integer({ min: 1, max: 20_000 })
  })
  fc.assert(fc.property(fc.double({ min: -3_600_000, max: 3_600_000, noNaN: true }), fc.array(exchangeArb, { minLength: 1, maxLength: 30 }), fc.boolean(),
    (trueOffset, exchanges, resetHalfway) => {
      const clock = new ClockSync()
      let at = 0
      for (const [i, { up, down, work, gap }] of exchanges.entries()) {
        if (resetHalfway && i === Math.floor(exchanges.length / 2)) clock.reset()
        at += gap
        const t1 = at + up + trueOffset
        const t2 = t1 + work
        clock.addSample({ t0: at, t1, t2, t3: t2 - trueOffset + down })
        const error = Math.abs(clock.offset(at)! - trueOffset)
        if (error > clock.errorBound(at)! + 1e-6) return false
      }
      return true
    }), runs)
  t.pass('held')
})

const driftSeqArb = fc.array(fc.record({ drift: fc.double({ min: -5000, max: 5000, noNaN: true }), step: fc.integer({ min: 1, max: 3000 }), playing: fc.boolean() }), { maxLength: 60 })

t.test('the controller never both seeks and nudges for the same drift', async (t) => {
  const { seekThresholdMs, deadZoneMs } = DEFAULT_DRIFT_OPTIONS
  fc.assert(fc.property(driftSeqArb, fc.double({ min: 0.25, max: 4, noNaN: true }), (seq, roomRate) => {
    const controller = new DriftController()
    let now = 0
    for (const { drift, step, playing } of seq) {
      now += step
      const action = controller.update({ idealMs: 100_000, actualMs: 100_000 - drift, roomRate, now, playing })
      const size = Math.abs(drift)
      // A seek only past the threshold (or past the dead zone while paused), a nudge only below it.
      if (action.kind === 'seek' && size < (playing ? seekThresholdMs : deadZoneMs)) return false
      if (action.kind === 'rate' && action.rate !== roomRate && (size >= seekThresholdMs || !playing)) return false
      // A nudge always pushes towards the ideal position.
      if (action.kind === 'rate' && Math.sign(action.rate - roomRate) !== 0 && Math.sign(action.rate - roomRate) !== Math.sign(drift)) return false
    }
    return true
  }), runs)
  t.pass('held')
})

t.test('the controller never corrects inside its dead zone', async (t) => {
  const { deadZoneMs } = DEFAULT_DRIFT_OPTIONS
  const insideArb = fc.array(fc.record({ drift: fc.double({ min: -deadZoneMs + 1e-6, max: deadZoneMs - 1e-6, noNaN: true }), step: fc.integer({ min: 1, max: 3000 }), playing: fc.boolean() }), { maxLength: 80 })
  fc.assert(fc.property(insideArb, (seq) => {
    const controller = new DriftController()
    let now = 0
    for (const { drift, step, playing } of seq) {
      now += step
      if (controller.update({ idealMs: 50_000, actualMs: 50_000 - drift, roomRate: 1, now, playing }).kind !== 'none') return false
    }
    return true
  }), runs)
  t.pass('held')
})
