// The analysts' report: `pnpm --filter @watch-together/etl-worker report --since 7d [--limit 10]`.
// Reads MONGO_URL and MONGO_DB like the worker; only reads the archive.
import { parseArgs } from 'node:util'
import { MongoClient } from 'mongodb'
import { buildReport } from '../src/analytics/queries.js'
import { formatReport, parseDuration } from '../src/analytics/format.js'
import { archiveCollections } from '../src/archive/collections.js'
import { readConfig } from '../src/config.js'

const { values } = parseArgs({ options: { since: { type: 'string', default: '7d' }, limit: { type: 'string', default: '10' } } })
const config = readConfig(process.env)
const since = new Date(Date.now() - parseDuration(values.since))
const client = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5000 })
try {
  await client.connect()
  const report = await buildReport(archiveCollections(client.db(config.MONGO_DB)), since, Number(values.limit))
  process.stdout.write(formatReport(report) + '\n')
} catch (err) {
  process.stderr.write(`report failed: ${(err as Error).message}\n`)
  process.exitCode = 1
} finally {
  await client.close()
}
