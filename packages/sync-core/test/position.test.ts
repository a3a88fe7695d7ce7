import t from 'tap'
import { positionAt } from '../src/index.js'

t.test('the position is derived from the reference, never streamed', async (t) => {
  const timeline = { playing: true, positionMs: 10_000, refAt: 1_000_000, rate: 1 }
  t.equal(positionAt(timeline, 1_000_000), 10_000)
  t.equal(positionAt(timeline, 1_002_500), 12_500)
  t.equal(positionAt({ ...timeline, rate: 1.5 }, 1_002_000), 13_000, 'rate scales elapsed time')
  t.equal(positionAt({ ...timeline, playing: false }, 1_009_000), 10_000, 'paused holds still')
  t.equal(positionAt(timeline, 999_500), 10_000, 'a start scheduled ahead holds until its time')
  t.equal(positionAt({ ...timeline, durationMs: 11_000 }, 1_005_000), 11_000, 'never past the end')
})
