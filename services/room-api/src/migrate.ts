// `pnpm --filter @watch-together/room-api migrate`: applies pending migrations and exits.
import { ConfigError } from '@watch-together/service-kit'
import { readConfig } from './config.js'
import { runMigrations } from './db/migrations.js'

try {
  const config = readConfig(process.env)
  const applied = await runMigrations(config.DATABASE_URL, config.PG_SCHEMA, { info: (m) => process.stdout.write(m + '\n') })
  if (applied.length === 0) process.stdout.write(`schema ${config.PG_SCHEMA} is up to date\n`)
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`)
  process.exit(1)
}
