import { fileURLToPath } from 'node:url'
import { runner } from 'node-pg-migrate'

/** SQL migrations live beside src/ and dist/, so the same path works from both. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url))

interface Log { info (msg: string): void }

/**
 * Applies pending migrations to `schema` (created if missing). node-pg-migrate takes an
 * advisory lock; the lock value is per schema so parallel test files, each in its own
 * schema, do not wait on one another, and replicas starting together wait instead of failing.
 */
export async function runMigrations (databaseUrl: string, schema: string, log: Log): Promise<Array<{ name: string }>> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    schema,
    createSchema: true,
    migrationsTable: 'pgmigrations',
    advisoryLockMode: 'wait',
    lockValue: lockValueFor(schema),
    log: () => {},
    verbose: false
  })
  if (applied.length) log.info(`applied migrations to schema ${schema}: ${applied.map((m) => m.name).join(', ')}`)
  return applied
}

function lockValueFor (schema: string): number {
  let h = 7241865
  for (const ch of schema) h = (h * 31 + ch.charCodeAt(0)) % 2_147_483_647
  return h
}
