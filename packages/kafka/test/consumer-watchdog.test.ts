// The consumer plugin's watchdog against a real broker: a consumer that sits in its group while
// records wait past its committed offset is restarted, and the records are then handled and committed.
import { basicsPlugin } from '@watch-together/service-kit'
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { type BatchHandler, createAdmin, createProducer, eventConsumerPlugin, kafkaPlugin } from '../src/index.js'

const settings = { brokers: stack.kafkaBrokers, clientId: uniqueName('watchdog'), retries: 2 }

async function consumerApp (t: Test, topic: string, groupId: string, handler: BatchHandler) {
  const lines: Array<{ msg: string, stall?: { partitions: Array<{ partition: number }>, fetchesSince: number } }> = []
  const stream = { write (line: string) { lines.push(JSON.parse(line)) } }
  const app = Fastify({ logger: { level: 'warn', stream } })
  await app.register(basicsPlugin, { service: 'watchdog-test' })
  await app.register(kafkaPlugin, { brokers: stack.kafkaBrokers, clientId: settings.clientId, topics: [{ topic, partitions: 1 }], requiredAtStart: true })
  await app.register(eventConsumerPlugin({
    name: 'watchdog-test-consumer',
    topic,
    groupId,
    stallMs: 1500,
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    handler: () => handler
  }))
  await app.ready()
  t.teardown(() => app.close())
  return { app, stalls: () => lines.filter((l) => l.msg === 'consumer stalled; restarting it') }
}

async function setUp (t: Test) {
  const topic = uniqueName('watchdog_topic')
  const admin = createAdmin(settings)
  await requireServer('Kafka', stack.kafkaBrokers.join(','), () => admin.connect())
  t.teardown(async () => { await admin.deleteTopics([topic]).catch(() => {}); await admin.disconnect() })
  await admin.ensureTopics([{ topic, partitions: 1 }])
  return { topic, admin, groupId: uniqueName('watchdog_group') }
}

const record = (n: number) => ({ key: 'room', value: Buffer.from(String(n)) })

t.test('a position moved past uncommitted records: restarted, then committed', async (t) => {
  const { topic, admin, groupId } = await setUp(t)
  await produceRecords(topic, [record(1), record(2)])
  let calls = 0
  // The first batch returns without committing, as an idle batch does while its commit waits:
  // kafkajs resolves it in memory, nothing more comes, and the committed offset stays behind.
  const { stalls } = await consumerApp(t, topic, groupId, async (batch, control) => {
    calls++
    if (calls === 1) return
    await control.commit(batch.records.at(-1)!.offset)
  })
  await waitFor('the records committed', async () => (await admin.groupOffsets(groupId, topic))[0]?.offset === '2', 60_000, 200)
  t.ok(calls >= 2, 'the records came again after the restart')
  const [stall] = stalls()
  t.ok(stall, 'the stall was logged')
  t.same(stall?.stall?.partitions.map((p) => p.partition), [0])
  t.ok((stall?.stall?.fetchesSince ?? 0) > 0, 'kafkajs kept fetching meanwhile')
})

t.test('a batch that never ends: the consumer is abandoned and replaced', async (t) => {
  const { topic, admin, groupId } = await setUp(t)
  await produceRecords(topic, [record(1)])
  let calls = 0
  let answer = () => {}
  // A write that does not answer while the test runs; answered at the end, so the abandoned
  // consumer's disconnect can finish and the test process exit.
  const unanswered = new Promise<void>((resolve) => { answer = resolve })
  t.teardown(() => { answer() })
  const { stalls } = await consumerApp(t, topic, groupId, async (batch, control) => {
    calls++
    if (calls === 1) await unanswered
    await control.commit(batch.records.at(-1)!.offset)
  })
  await waitFor('the record committed', async () => (await admin.groupOffsets(groupId, topic))[0]?.offset === '1', 120_000, 200)
  t.ok(stalls().length >= 1, 'the stall was logged')
  t.equal(stalls()[0]?.stall?.fetchesSince, 0, 'no fetch while the batch hung')
})

async function produceRecords (topic: string, records: Array<{ key: string, value: Buffer }>) {
  const producer = createProducer(settings)
  await producer.connect()
  await producer.send(topic, records)
  await producer.disconnect()
}
