import fc from 'fast-check'
import t from 'tap'
import { DEFAULT_LATENCY_OPTIONS, MediaLatency } from '../src/index.js'

t.test('before any measurement the priors apply', async (t) => {
  const l = new MediaLatency({ seekPriorMs: 100, startPriorMs: 20, cueMarginMs: 30 })
  t.equal(l.seekMs, 100)
  t.equal(l.startLeadMs, 20)
  t.equal(l.cueMs, 100 + 20 + 30, 'a cue waits for the seek, then the start lead, plus the margin')
})

t.test('a cue waits for the slowest of the recent seeks', async (t) => {
  const l = new MediaLatency({ window: 3, cueMarginMs: 10, startPriorMs: 0 })
  for (const ms of [40, 90, 30]) l.noteSeek(ms)
  t.equal(l.cueMs, 90 + 10)
  t.equal(l.seekMs, (40 + 90 + 30) / 3)
  l.noteSeek(20)
  l.noteSeek(20)
  l.noteSeek(20)
  t.equal(l.cueMs, 20 + 10, 'older seeks leave the window')
  l.noteSeek(-5)
  l.noteSeek(Number.NaN)
  l.noteSeek(60_000)
  t.equal(l.cueMs, 30, 'impossible or stall-sized measurements are ignored')
})

t.test('the first start replaces the prior, later ones are smoothed; late play() calls are not latency', async (t) => {
  const l = new MediaLatency({ startPriorMs: 20, startGain: 0.5 })
  l.noteStart(15, 1) // landed 15 ms behind: the element needs 35 ms
  t.equal(l.startLeadMs, 35)
  l.noteStart(10, 1)
  t.equal(l.startLeadMs, 40, 'half of the next residual')
  l.noteStart(30, 1, 30)
  t.equal(l.startLeadMs, 40, 'a residual entirely due to a late play() call changes nothing')
  l.noteStart(-200, 2)
  t.equal(l.startLeadMs, 0, 'never negative')
})

t.test('property: the estimates stay finite, non-negative and bounded whatever is measured', async () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(
      fc.record({ seek: fc.double({ min: -1e6, max: 1e6, noNaN: false }) }),
      fc.record({ start: fc.double({ min: -1e6, max: 1e6 }), rate: fc.double({ min: 0.25, max: 4, noNaN: true }), late: fc.double({ min: 0, max: 1e4, noNaN: true }) })
    ), { maxLength: 50 }),
    (events) => {
      const l = new MediaLatency()
      for (const e of events) {
        if ('seek' in e) l.noteSeek(e.seek)
        else l.noteStart(e.start, e.rate, e.late)
      }
      for (const v of [l.seekMs, l.startLeadMs, l.cueMs]) {
        if (!Number.isFinite(v) || v < 0 || v > 4000 + DEFAULT_LATENCY_OPTIONS.cueMarginMs) return false
      }
      return true
    }
  ))
})
