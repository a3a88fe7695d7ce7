import t from 'tap'
import { DEFAULT_DRIFT_OPTIONS, DriftController, type DriftAction } from '../src/index.js'

/**
 * Simulates a media element following a playing room for `seconds`, sampled every 250 ms,
 * applying the controller's actions; returns the drift trace and the actions taken.
 */
function simulate (initialDriftMs: number, seconds: number, controller = new DriftController()) {
  let actual = 60_000 - initialDriftMs
  let rate = 1
  const trace: number[] = []
  const actions: DriftAction[] = []
  for (let now = 0; now <= seconds * 1000; now += 250) {
    const ideal = 60_000 + now
    const action = controller.update({ idealMs: ideal, actualMs: actual, roomRate: 1, now, playing: true })
    if (action.kind !== 'none') actions.push(action)
    if (action.kind === 'rate') rate = action.rate
    if (action.kind === 'seek') actual = action.positionMs
    trace.push(ideal - actual)
    actual += 250 * rate
  }
  return { trace, actions }
}

t.test('inside the dead zone nothing happens', async (t) => {
  const { actions } = simulate(DEFAULT_DRIFT_OPTIONS.deadZoneMs - 5, 10)
  t.same(actions, [])
})

t.test('moderate drift is absorbed by a small rate nudge, without a seek', async (t) => {
  const { trace, actions } = simulate(400, 20)
  t.notOk(actions.some((a) => a.kind === 'seek'), 'no seek')
  t.ok(actions.every((a) => a.kind !== 'rate' || Math.abs(a.rate - 1) <= 0.05 + 1e-9), 'rate stays within ±5 %')
  t.ok(Math.abs(trace.at(-1)!) < 40, `converged to ${trace.at(-1)} ms`)
  t.equal((actions.at(-1) as { rate: number }).rate, 1, 'ends back at the room rate')
})

t.test('large drift gets one seek, and no oscillation afterwards', async (t) => {
  const { trace, actions } = simulate(-3_000, 20)
  t.equal(actions.filter((a) => a.kind === 'seek').length, 1, 'exactly one seek')
  t.ok(Math.abs(trace.at(-1)!) < 40)
})

t.test('hysteresis: a nudge runs until the drift is well inside the dead zone', async (t) => {
  const controller = new DriftController({ deadZoneMs: 40, settleMs: 15 })
  const at = (idealMs: number, actualMs: number, now: number) => controller.update({ idealMs, actualMs, roomRate: 1, now, playing: true })
  t.equal(at(1000, 950, 0).kind, 'rate', '50 ms behind: start nudging')
  t.equal(at(1000, 970, 250).kind, 'rate', '30 ms: keep nudging (inside the zone, not yet settled)')
  t.same(at(1000, 990, 500), { kind: 'rate', rate: 1 }, '10 ms: settled, back to the room rate')
  t.same(at(1000, 970, 750), { kind: 'none' }, '30 ms again: inside the dead zone, left alone')
})

t.test('seeks respect their cooldown; a paused room is fixed by a seek', async (t) => {
  const controller = new DriftController({ seekCooldownMs: 2000 })
  const update = (idealMs: number, actualMs: number, now: number, playing = true) => controller.update({ idealMs, actualMs, roomRate: 1, now, playing })
  t.equal(update(10_000, 5_000, 0).kind, 'seek')
  t.equal(update(10_000, 5_000, 500).kind, 'none', 'the media has not caught up yet: no second seek')
  t.equal(update(10_000, 5_000, 2_500).kind, 'seek', 'after the cooldown it may seek again')
  t.same(update(20_000, 19_900, 10_000, false), { kind: 'seek', positionMs: 20_000 }, 'paused: 100 ms off is fixed by a seek')
  t.same(update(20_000, 19_990, 20_000, false), { kind: 'none' }, 'paused within the dead zone: left alone')
})

t.test('options that would oscillate are refused', async (t) => {
  t.throws(() => new DriftController({ deadZoneMs: 40, settleMs: 40 }))
  t.throws(() => new DriftController({ deadZoneMs: 400, seekThresholdMs: 300 }))
})

t.test('right after a landing, a residual above settleMs is nudged away; later the dead zone applies again', async (t) => {
  const controller = new DriftController({ deadZoneMs: 20, settleMs: 8 })
  const at = (actualMs: number, now: number) => controller.update({ idealMs: 1000, actualMs, roomRate: 1, now, playing: true })
  t.same(at(988, 0), { kind: 'none' }, '12 ms in steady play: inside the dead zone')
  controller.afterTransition()
  t.equal(at(988, 100).kind, 'rate', '12 ms just after a start: the element\'s latency, nudged')
  t.same(at(995, 600), { kind: 'rate', rate: 1 }, 'settled')
  t.same(at(988, 700), { kind: 'none' }, 'one landing, one chance: steady drift waits for the dead zone')
  controller.afterTransition()
  t.equal(at(1500 + 1000, 800).kind, 'seek', 'far off is still a seek')
})

t.test('a landing residual is nudged faster than steady drift, within the rate band', async (t) => {
  const steady = new DriftController()
  const landed = new DriftController()
  landed.afterTransition()
  const input = { idealMs: 1030, actualMs: 1000, roomRate: 1, now: 0, playing: true }
  const a = steady.update(input)
  const b = landed.update(input)
  t.ok(a.kind === 'rate' && b.kind === 'rate')
  const rateOf = (x: DriftAction) => x.kind === 'rate' ? x.rate : NaN
  t.ok(rateOf(b) > rateOf(a), `landing nudge ${rateOf(b)} > steady nudge ${rateOf(a)}`)
  t.ok(rateOf(b) <= 1 + DEFAULT_DRIFT_OPTIONS.maxRateDelta + 1e-9, 'still within maxRateDelta')
  const far = new DriftController()
  far.afterTransition()
  t.same(far.update({ ...input, idealMs: 1400 }), { kind: 'rate', rate: 1 + DEFAULT_DRIFT_OPTIONS.maxRateDelta }, 'capped')
})
