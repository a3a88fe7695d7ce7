// MongoDB stopped and restarted under a steady stream: the worker stops committing, retries with
// backoff (heartbeats keep its partitions), resumes, and the archive ends up exact.
import { stackCommand, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { assertExactArchive } from '../helpers/archive-check.js'
import { openArchive, prepare, startWorker, testNames, waitCommitted } from '../helpers/harness.js'
import { steadyStream } from '../helpers/stream.js'

t.test('no event is lost while MongoDB is down', async (t) => {
  const names = testNames('mongo_outage')
  await prepare(names)
  t.teardown(() => stackCommand('up', 'mongo'))
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const worker = await startWorker(names, { ETL_CHUNK_SIZE: '25', ETL_FINALIZE_INTERVAL_MS: '3600000', ETL_WRITE_TIMEOUT_MS: '5000' })
  t.teardown(() => worker.close())

  const stream = steadyStream(names.topic, { rooms: 4, perTick: 10, tickMs: 50 })
  await waitFor('some events archived', async () => (await archive.events.countDocuments()) > 50, 30_000, 100)

  await stackCommand('down', 'mongo')
  const retries = () => worker.archive.metrics.writeRetries.get().then((m) => m.values[0]?.value ?? 0)
  await waitFor('the worker to notice and back off', async () => (await retries()) >= 2, 60_000, 200)
  const producedDuringOutage = stream.produced.length
  await stackCommand('up', 'mongo')
  await waitFor('the stream to go on after MongoDB is back', () => stream.produced.length > producedDuringOutage + 50, 30_000, 100)

  await stream.stop()
  await waitCommitted(names, names.groupId, 90_000)
  t.ok(stream.produced.length > 100, `${stream.produced.length} events produced`)
  await assertExactArchive(t, archive, stream)
})
