import t from 'tap'
import { ClockSync } from '../src/index.js'

/** One exchange over a path with the given one-way delays; the server clock is `offset` ahead. */
function exchange (clientAt: number, offset: number, up: number, down: number, serverWork = 1) {
  const t0 = clientAt
  const t1 = clientAt + up + offset
  const t2 = t1 + serverWork
  const t3 = t2 - offset + down
  return { t0, t1, t2, t3 }
}

t.test('a symmetric path gives the exact offset', async (t) => {
  const clock = new ClockSync()
  t.equal(clock.offset(), null, 'nothing before the first sample')
  clock.addSample(exchange(0, 4_321, 50, 50))
  t.equal(clock.offset(), 4_321)
  t.equal(clock.errorBound(), 50)
  t.equal(clock.serverNow(1_000), 5_321)
})

t.test('the lowest round trip wins, and the error bound holds for any asymmetry', async (t) => {
  const clock = new ClockSync({ window: 8 })
  const offset = -5_000
  // Jittery path: one-way 20..150 ms each way, different in each direction.
  const delays = [[150, 40], [90, 120], [25, 30], [140, 60], [70, 75]]
  let at = 0
  for (const [up, down] of delays) clock.addSample(exchange(at += 1000, offset, up!, down!))
  t.equal(clock.roundTrip(), 55, 'the 25 + 30 ms sample is chosen (server time is not network time)')
  const error = Math.abs((clock.offset() ?? NaN) - offset)
  t.ok(error <= (clock.errorBound() ?? 0), `error ${error} within the bound ${clock.errorBound()}`)
  t.equal(error, 2.5, 'half the path asymmetry')
})

t.test('impossible samples are ignored; old ones age out', async (t) => {
  const clock = new ClockSync({ maxSampleAgeMs: 10_000 })
  t.notOk(clock.addSample({ t0: 100, t1: 50, t2: 60, t3: 90 }), 'negative round trip (clock jumped)')
  t.notOk(clock.addSample({ t0: 0, t1: 10, t2: 5, t3: 20 }), 'server answered before it received')
  clock.addSample(exchange(0, 100, 10, 10))
  t.equal(clock.offset(5_000), 100)
  t.equal(clock.offset(60_000), null, 'a 60 s old sample is too old to trust')
})

t.test('a burst at start and after a reconnect, then periodic re-syncs', async (t) => {
  const clock = new ClockSync({ burst: 3, resyncIntervalMs: 10_000 })
  let at = 0
  for (let i = 0; i < 3; i++) {
    t.ok(clock.needsSample(at))
    clock.addSample(exchange(at, 0, 30, 30))
    at += 100
  }
  t.notOk(clock.needsSample(at), 'settled')
  t.ok(clock.needsSample(at + 10_000), 'periodic re-sync')
  clock.reset()
  t.ok(clock.needsSample(at), 'a reconnect starts a new burst')
  t.equal(clock.offset(at), 0, 'old samples serve until a new one arrives')
  clock.addSample(exchange(at, 250, 80, 80))
  t.equal(clock.offset(at + 200), 250, 'the new path wins even with a longer round trip')
})

t.test('after a reconnect to the same server clock, the old low-round-trip samples still count', async (t) => {
  const clock = new ClockSync({ burst: 2 })
  clock.addSample(exchange(0, 700, 10, 12)) // a very good sample: bound 11 ms
  clock.addSample(exchange(100, 700, 90, 90))
  clock.reset()
  clock.addSample(exchange(1_000, 700, 150, 150)) // the new path is slow but agrees
  t.equal(clock.roundTrip(1_000), 22, 'the old 22 ms round trip is still the best')
  t.ok(clock.errorBound(1_000)! < 12, 'its bound only grew by the possible clock drift')
})
