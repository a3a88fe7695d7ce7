// Closing the app at any moment of the consumer's start-up leaves nothing running (the process exits).
import t from 'tap'
import { prepare, startWorker, testNames } from './helpers/harness.js'

t.test('the worker closes cleanly right after start, and after it is consuming', async (t) => {
  const names = testNames('lifecycle')
  await prepare(names)
  for (const delayMs of [0, 50, 300, 3000]) {
    const app = await startWorker(names, { ETL_FINALIZE_INTERVAL_MS: '100' })
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    await app.close()
    t.pass(`closed ${delayMs} ms after start`)
  }
  const app = await startWorker(names)
  t.teardown(async () => { await app.mongo.db.dropDatabase(); await app.close() })
  t.equal((await app.inject('/readyz')).statusCode, 200)
})
