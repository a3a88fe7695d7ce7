// Two workers in one consumer group share the partitions (one joins mid-stream, forcing a
// rebalance): together they archive every event exactly once.
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { assertExactArchive } from './helpers/archive-check.js'
import { openArchive, prepare, startWorker, testNames, waitCommitted } from './helpers/harness.js'
import { steadyStream } from './helpers/stream.js'

// A join waits until every member has rejoined, up to the group's rebalance timeout (60 s): on a loaded
// machine the first worker can take most of it, so the file gets more than tap's default 120 s.
t.setTimeout(300_000)

t.test('several workers share the partitions and the archive stays exact', async (t) => {
  const names = testNames('shared')
  await prepare(names, 4)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const env = { ETL_CHUNK_SIZE: '20', ETL_FINALIZE_INTERVAL_MS: '3600000' }
  const first = await startWorker(names, env)
  t.teardown(() => first.close())

  const stream = steadyStream(names.topic, { rooms: 8, perTick: 8, tickMs: 50 })
  await waitFor('the first worker archiving', async () => (await archive.events.countDocuments()) > 40, 30_000, 100)
  const second = await startWorker(names, env)
  t.teardown(() => second.close())
  await waitFor('both workers archiving', async () => {
    const counts = await Promise.all([first, second].map(async (w) => (await w.archive.metrics.archived.get()).values[0]?.value ?? 0))
    return counts.every((n) => n > 0)
  }, 150_000, 200)
  await stream.stop()
  await waitCommitted(names)
  await assertExactArchive(t, archive, stream)
})
