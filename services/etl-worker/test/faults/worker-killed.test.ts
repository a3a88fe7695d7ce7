// The real worker process killed with SIGKILL mid-stream, several times: whatever it had written
// but not committed is re-delivered to the next process, and the archive ends up exact.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { assertExactArchive } from '../helpers/archive-check.js'
import { openArchive, prepare, testNames, waitCommitted, workerEnv } from '../helpers/harness.js'
import { steadyStream } from '../helpers/stream.js'

const serviceDir = fileURLToPath(new URL('../../', import.meta.url))

t.test('SIGKILL mid-batch, three times, loses and doubles nothing', async (t) => {
  const names = testNames('sigkill')
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const env = workerEnv(names, { ETL_CHUNK_SIZE: '20', ETL_FINALIZE_INTERVAL_MS: '3600000', KAFKA_SESSION_TIMEOUT_MS: '6000' })
  const children = new Set<ChildProcess>()
  t.teardown(() => { for (const child of children) child.kill('SIGKILL') })

  const spawnWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: serviceDir,
      // Port 0: the OS picks a free one. (A random port in the ephemeral range could be taken by an
      // outgoing connection, and the restarted worker then failed with EADDRINUSE.)
      env: { ...process.env, ...env, PORT: '0' },
      stdio: ['ignore', 'inherit', 'inherit'] // its warnings (JSON lines) show in the test output
    })
    children.add(child)
    child.once('exit', () => children.delete(child))
    return child
  }

  const stream = steadyStream(names.topic, { rooms: 5, perTick: 10, tickMs: 50 })
  for (let round = 1; round <= 3; round++) {
    const child = spawnWorker()
    const before = await archive.events.countDocuments()
    // Kill while it is busy: once it has archived something new, after a random extra moment.
    await waitFor(`worker ${round} archiving (${stream.produced.length} produced so far)`, async () => {
      if (stream.failure()) throw stream.failure()
      if (child.exitCode !== null) throw new Error(`worker ${round} exited by itself with code ${child.exitCode}`)
      return (await archive.events.countDocuments()) > before + 30
    }, 60_000, 50)
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 300))
    child.kill('SIGKILL')
    await once(child, 'exit')
    t.pass(`worker ${round} killed with ${stream.produced.length} events produced so far`)
  }
  await stream.stop()

  const last = spawnWorker()
  await waitCommitted(names, names.groupId, 90_000)
  await assertExactArchive(t, archive, stream)
  last.kill('SIGTERM')
  const [code] = await once(last, 'exit')
  t.equal(code, 0, 'the last worker shuts down gracefully on SIGTERM')
})
