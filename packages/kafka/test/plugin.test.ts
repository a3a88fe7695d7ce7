// The Kafka plugin: a service starts while Kafka is unreachable and reports it on /readyz.
import { basicsPlugin } from '@watch-together/service-kit'
import { stack, uniqueName } from '@watch-together/test-kit'
import Fastify from 'fastify'
import t from 'tap'
import { kafkaPlugin } from '../src/index.js'

t.test('connects, creates its topics and reports ready', async (t) => {
  const app = Fastify({ logger: false })
  await app.register(basicsPlugin, { service: 'kafka-plugin-test' })
  const topic = uniqueName('plugin-topic')
  await app.register(kafkaPlugin, { brokers: stack.kafkaBrokers, clientId: 'plugin-test', topics: [{ topic, partitions: 2 }], requiredAtStart: true })
  t.teardown(async () => { await app.kafka.admin.deleteTopics([topic]); await app.close() })
  t.ok(app.kafka.isConnected())
  t.equal((await app.kafka.admin.topicOffsets(topic)).length, 2)
  t.equal((await app.inject('/readyz')).statusCode, 200)
})

t.test('starts without Kafka, answers /readyz 503, and closes cleanly', async (t) => {
  const app = Fastify({ logger: false })
  await app.register(basicsPlugin, { service: 'kafka-plugin-test', readinessTimeoutMs: 3000 })
  await app.register(kafkaPlugin, { brokers: ['127.0.0.1:1'], clientId: 'plugin-test' })
  t.notOk(app.kafka.isConnected())
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.not(res.json().checks.kafka, 'ok')
  await app.close()
  await t.rejects(app.kafka.connected, 'waiting for a connection ends when the app closes')
})

t.test('requiredAtStart fails start-up with the server named', async (t) => {
  const app = Fastify({ logger: false })
  await app.register(basicsPlugin, { service: 'kafka-plugin-test' })
  await t.rejects(async () => { await app.register(kafkaPlugin, { brokers: ['127.0.0.1:1'], clientId: 'plugin-test', requiredAtStart: true }) }, /Kafka \(127\.0\.0\.1:1\) unreachable/)
  await app.close().catch(() => {})
})
