// Smoke: the real app against the real Redis (and Kafka, which it also needs).
import { requireServer, stack, uniqueName } from '@watch-together/test-kit'
import { createClient } from 'redis'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

t.test('realtime writes and reads Redis through its client and reports ready', async (t) => {
  await requireServer('Redis', stack.redisUrl, async () => {
    const probe = createClient({ url: stack.redisUrl, socket: { connectTimeout: 3000, reconnectStrategy: false } })
    probe.on('error', () => {})
    await probe.connect()
    await probe.close()
  })
  const app = await buildApp(readConfig({ REDIS_URL: stack.redisUrl, KAFKA_BROKERS: stack.kafkaBrokers.join(','), LOG_LEVEL: 'warn', TICKET_SECRET: 'test-ticket-secret-0123456789' }), { consumeLifecycle: false })
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
