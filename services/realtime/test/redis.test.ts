// Smoke: the real app against the real Redis (and Kafka, which it also needs).
import { stack, uniqueName } from '@watch-together/test-kit'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'
import { redisEnv, requireRedis } from './helpers.js'

t.test('realtime writes and reads Redis through its client and reports ready', async (t) => {
  await requireRedis()
  const app = await buildApp(readConfig({ ...redisEnv, KAFKA_BROKERS: stack.kafkaBrokers.join(','), LOG_LEVEL: 'warn', TICKET_SECRET: 'test-ticket-secret-0123456789' }), { consumeLifecycle: false })
  t.teardown(() => app.close())

  const key = `${uniqueName('smoke')}:state`
  t.teardown(() => app.redis.del(key))
  await app.redis.hSet(key, { version: '1', playing: 'false' })
  t.same({ ...(await app.redis.hGetAll(key)) }, { version: '1', playing: 'false' })
  await app.redis.expire(key, 60)
  t.ok((await app.redis.ttl(key)) > 0, 'keys expire')

  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { redis: 'ok', kafka: 'ok' })
})
