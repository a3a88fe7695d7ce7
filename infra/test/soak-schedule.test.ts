// The soak's fault schedule (infra/soak/schedule.ts): a pure function of the seed, so a seed replays a run.
import t from 'tap'
import { FAULT_KINDS, fingerprint, makeSchedule } from '../soak/schedule.js'

const targets = ['postgres', 'redis', 'kafka', 'mongo', 'room-api-1', 'room-api-2', 'realtime-1', 'realtime-2', 'etl-worker-1', 'etl-worker-2']
const options = (seed: number) => ({ seed, spanMs: 20 * 60_000, targets, gapMs: [8000, 20_000] as [number, number], downMs: [2000, 15_000] as [number, number], overlapChance: 0.35 })

t.test('one seed, one schedule; another seed, another', async (t) => {
  t.same(makeSchedule(options(42)), makeSchedule(options(42)))
  t.equal(fingerprint(makeSchedule(options(42))), fingerprint(makeSchedule(options(42))))
  t.not(fingerprint(makeSchedule(options(42))), fingerprint(makeSchedule(options(43))))
})

t.test('a 20-minute schedule uses every target with every kind, one or two at a time', async (t) => {
  for (const seed of [1, 7, 20, 12345]) {
    const faults = makeSchedule(options(seed))
    for (const target of targets) {
      for (const kind of FAULT_KINDS) t.ok(faults.some((f) => f.target === target && f.kind === kind), `seed ${seed}: ${kind} ${target}`)
    }
    t.ok(faults.some((f) => f.overlaps), `seed ${seed}: some faults overlap`)
    for (const f of faults) {
      const active = faults.filter((g) => g.at <= f.at && f.at < g.at + g.durationMs)
      if (active.length > 2) t.fail(`seed ${seed}: three faults at once at ${f.at}`)
      if (new Set(active.map((g) => g.target)).size !== active.length) t.fail(`seed ${seed}: one target faulted twice at once at ${f.at}`)
    }
    t.ok(faults.every((f) => f.at < 20 * 60_000 && f.durationMs >= 2000 && f.durationMs <= 15_000), `seed ${seed}: within the span and bounds`)
  }
})
