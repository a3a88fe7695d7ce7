// The analysts' example queries (docs/analysts.md) against the archive of the seeded sessions,
// built by the real worker from the real topic; and the report command printing the same figures.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { buildReport } from '../src/analytics/queries.js'
import { openArchive, openProducer, prepare, produceEvents, startWorker, testNames, waitCommitted, workerEnv } from './helpers/harness.js'
import { seededSessions } from './helpers/seed-sessions.js'

t.test('each documented query returns the figures of the seeded sessions', async (t) => {
  const names = testNames('analytics')
  await prepare(names)
  const archive = await openArchive(names)
  const producer = await openProducer()
  const worker = await startWorker(names, { ETL_FINALIZE_INTERVAL_MS: '3600000' })
  t.teardown(async () => { await worker.close(); await producer.disconnect(); await archive.close() })

  const hourStart = Math.floor((Date.now() - 86_400_000) / 3600_000) * 3600_000
  const seed = seededSessions(hourStart)
  await produceEvents(producer, names.topic, seed.events)
  await waitCommitted(names)

  const report = await buildReport(archive, new Date(hourStart - 3600_000))
  t.same(report.messagesPerRoom, seed.expected.messagesPerRoom, 'messages per room')
  t.same(report.mostDiscussedFilms, seed.expected.mostDiscussedFilms, 'most-discussed films')
  t.same(report.sessions, seed.expected.sessions, 'average session length')
  t.match(report.rates, seed.expected.rates, 'pause and seek totals')
  t.equal(report.rates.pausesPerSession, 4 / 3)
  t.equal(report.rates.seeksPerWatchedHour, 3 / (2860 / 3600))
  t.same(report.busiestHours, seed.expected.busiestHours, 'busiest hours')

  const later = await buildReport(archive, new Date(Date.now() + 60_000))
  t.same(later.messagesPerRoom, [], 'the window excludes older sessions')

  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/report.ts', '--since', '2d'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...workerEnv(names) }
  })
  t.match(stdout, /Messages per room/)
  t.match(stdout, /film-matrix\s+6/)
  t.match(stdout, /average length \(min\)\s+20\.0/)
  t.match(stdout, /pauses per session\s+1\.33/)
})
