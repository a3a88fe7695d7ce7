// Smoke: a real produce and consume on `watch_together` through the project's Kafka module.
import { randomUUID } from 'node:crypto'
import { EventEnvelope, TOPICS } from '@watch-together/protocol'
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createAdmin, createConsumer, createProducer, eventRecord, type IncomingRecord } from '../src/index.js'

const settings = { brokers: stack.kafkaBrokers, clientId: uniqueName('smoke'), retries: 2 }

t.test('an event keyed by room id goes to watch_together and comes back', async (t) => {
  const admin = createAdmin(settings)
  await requireServer('Kafka', stack.kafkaBrokers.join(','), async () => { await admin.connect(); await admin.ping() })
  t.teardown(() => admin.disconnect())
  await admin.ensureTopics([{ topic: TOPICS.events, partitions: 12 }])

  const producer = createProducer(settings, { compress: true })
  await producer.connect()
  t.teardown(() => producer.disconnect())

  const roomId = randomUUID()
  const event = EventEnvelope.parse({
    id: randomUUID(),
    type: 'smoke.tested',
    roomId,
    userId: 'smoke-user',
    at: Date.now(),
    seq: 1,
    v: 1,
    source: 'test',
    payload: { hello: 'world' }
  })
  const [sent] = await producer.send(TOPICS.events, [eventRecord(event)])
  t.ok(sent, 'the broker acknowledged the record')
  if (!sent) return

  // A second record with the same key must land on the same partition: that is what keeps a room's events in order.
  const [again] = await producer.send(TOPICS.events, [eventRecord({ ...event, id: randomUUID(), seq: 2 })])
  t.equal(again?.partition, sent.partition, 'the same room id maps to the same partition')

  const consumer = createConsumer(settings, { groupId: uniqueName('smoke-group') })
  await consumer.connect()
  t.teardown(() => consumer.disconnect())
  await consumer.subscribe([TOPICS.events], { fromBeginning: false })
  const seen: IncomingRecord[] = []
  await consumer.run(async (batch) => {
    for (const record of batch.records) if (record.key === roomId) seen.push(record)
  })
  consumer.seek(TOPICS.events, sent.partition, sent.baseOffset)

  const records = await waitFor('both records to be consumed', () => seen.length >= 2 && seen, 30_000)
  const first = records[0]
  t.equal(first?.key, roomId, 'key is the room id')
  t.equal(first?.partition, sent.partition)
  t.equal(first?.headers['event-type'], 'smoke.tested')
  t.same(EventEnvelope.parse(JSON.parse(first?.value?.toString('utf8') ?? 'null')), event, 'value round-trips as the same event')
  t.same(records.map((r) => JSON.parse(r.value?.toString() ?? '{}').seq), [1, 2], 'in the order produced')
})

t.test('ensureTopics creates a topic with the asked partitions, once', async (t) => {
  const admin = createAdmin(settings)
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const topic = uniqueName('smoke-topic')
  await admin.ensureTopics([{ topic, partitions: 3 }])
  await admin.ensureTopics([{ topic, partitions: 3 }])
  const offsets = await admin.topicOffsets(topic)
  t.equal(offsets.length, 3)
  await admin.deleteTopics([topic])
})
