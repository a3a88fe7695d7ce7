// Smoke: the real app against the real PostgreSQL (and Kafka, which it also needs).
import { requireServer, stack, uniqueName } from '@watch-together/test-kit'
import pg from 'pg'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

t.test('room-api queries PostgreSQL through its pool and reports ready', async (t) => {
  await requireServer('PostgreSQL', stack.databaseUrl, async () => {
    const client = new pg.Client({ connectionString: stack.databaseUrl, connectionTimeoutMillis: 3000 })
    await client.connect()
    await client.end()
  })
  // Each test file works in a schema of its own: files run in parallel.
  const schema = uniqueName('smoke')
  const app = await buildApp(readConfig({
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'warn',
    PG_SCHEMA: schema,
    KAFKA_CONSUME: 'false'
  }))
  t.teardown(async () => {
    await app.pg.query(`drop schema ${schema} cascade`)
    await app.close()
  })
  await app.pg.query(`create table ${schema}.notes (id serial primary key, body text not null)`)
  const inserted = await app.pg.query<{ id: number }>(`insert into ${schema}.notes (body) values ($1) returning id`, ['hello'])
  const read = await app.pg.query<{ body: string }>(`select body from ${schema}.notes where id = $1`, [inserted.rows[0]?.id])
  t.same(read.rows, [{ body: 'hello' }])

  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  // Other checks (LiveKit) are reported beside these without deciding readiness.
  t.match(ready.json().checks, { postgres: 'ok', kafka: 'ok' })
})

t.test('an unreachable PostgreSQL makes /readyz answer 503, not the process crash', async (t) => {
  const app = await buildApp(readConfig({
    DATABASE_URL: 'postgres://watch:watch@127.0.0.1:1/watch_together',
    MIGRATE_ON_START: 'false',
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'silent'
  }))
  t.teardown(() => app.close())
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.equal(res.json().checks.kafka, 'ok')
  t.match(res.json().checks.postgres, /ECONNREFUSED|connect/)
})
