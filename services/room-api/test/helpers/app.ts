// One helper builds the real app for a test file: its own PostgreSQL schema (PG_SCHEMA) and its
// own Kafka topic and consumer group, because test files run in parallel.
import { requireServer, stack, uniqueName } from '@watch-together/test-kit'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import pg from 'pg'
import { buildApp } from '../../src/app.js'
import { readConfig } from '../../src/config.js'

export interface TestApp {
  app: FastifyInstance
  schema: string
  topic: string
  /** Signs in a user (a fresh id unless given) and returns an inject helper carrying the token. */
  user (name: string, id?: string): Promise<TestUser>
}

export interface TestUser {
  id: string
  name: string
  token: string
  call (method: InjectOptions['method'], url: string, body?: unknown): Promise<LightMyRequestResponse>
}

interface Teardown { teardown (fn: () => unknown): void }

export async function requireStack () {
  await requireServer('PostgreSQL', stack.databaseUrl, async () => {
    const client = new pg.Client({ connectionString: stack.databaseUrl, connectionTimeoutMillis: 3000 })
    await client.connect()
    await client.end()
  })
}

export async function buildTestApp (t: Teardown, env: Record<string, string> = {}, opts: { schema?: string, topic?: string, keepSchema?: boolean } = {}): Promise<TestApp> {
  await requireStack()
  const schema = opts.schema ?? uniqueName('room_api')
  const topic = opts.topic ?? uniqueName('room-api-test')
  const app = await buildApp(readConfig({
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    DEV_SIGN_IN: 'true',
    PG_SCHEMA: schema,
    KAFKA_TOPIC: topic,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_GROUP_ID: uniqueName('room-api-group'),
    KAFKA_CONSUME: 'false',
    OUTBOX_POLL_MS: '100',
    ...env
  }))
  t.teardown(async () => {
    await app.close()
    if (opts.keepSchema) return
    const client = new pg.Client({ connectionString: stack.databaseUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })
  await app.ready()
  return {
    app,
    schema,
    topic,
    async user (name, id) {
      const token = await app.signUserToken({ id: id ?? uniqueName('user'), name }, 3600)
      const userId = id ?? JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sub
      return {
        id: userId,
        name,
        token,
        call: (method, url, body) => app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}` },
          ...(body === undefined ? {} : { payload: body as object })
        })
      }
    }
  }
}

/** A user with a handle of their choice (friends are found by handle). */
export async function person (test: TestApp, name: string, handle: string): Promise<TestUser> {
  const u = await test.user(name)
  const res = await u.call('PATCH', '/api/v1/me', { handle })
  if (res.statusCode !== 200) throw new Error(`handle ${handle}: ${res.body}`)
  return u
}
