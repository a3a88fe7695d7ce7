// A record failing its schema goes to the dead-letter topic with its reason and original bytes;
// the good record after it on the same partition is archived.
import { randomUUID } from 'node:crypto'
import { createConsumer, eventRecord, type IncomingRecord } from '@watch-together/kafka'
import { stack, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { openArchive, openProducer, prepare, startWorker, testNames, waitCommitted } from './helpers/harness.js'

t.test('poison messages are dead-lettered and consumption goes on', async (t) => {
  const names = testNames('dlq')
  await prepare(names)
  const archive = await openArchive(names)
  const producer = await openProducer()
  const worker = await startWorker(names, { ETL_FINALIZE_INTERVAL_MS: '3600000' })
  t.teardown(async () => { await worker.close(); await producer.disconnect(); await archive.close() })

  const roomId = randomUUID()
  const base = { roomId, userId: 'u1', at: Date.now(), v: 1, source: 'test' as const }
  const created = { ...base, id: randomUUID(), type: 'room.created', seq: 1, payload: { filmId: 'f1', ownerId: 'u1', ownerName: 'A', controlMode: 'everyone' } }
  const notJson = Buffer.from('{"id": not json', 'utf8')
  const badPayload = JSON.stringify({ ...base, id: randomUUID(), type: 'chat.message_sent', seq: 2, payload: { messageId: 'm1' } })
  const good = { ...base, id: randomUUID(), type: 'chat.message_sent', seq: 3, payload: { messageId: 'm2', clientMessageId: 'c2', name: 'A', text: 'still here', positionMs: 5 } }
  await producer.send(names.topic, [
    eventRecord(created),
    { key: roomId, value: notJson, headers: { origin: 'fuzzer' } },
    { key: roomId, value: badPayload },
    eventRecord(good)
  ])
  await waitCommitted(names)

  t.equal(await archive.events.countDocuments(), 2, 'only the two valid events are archived')
  t.match(await archive.chatMessages.findOne({ _id: 'm2' }), { text: 'still here', filmId: 'f1' })

  const dead: IncomingRecord[] = []
  const reader = createConsumer({ brokers: stack.kafkaBrokers, clientId: 'etl-test' }, { groupId: `${names.groupId}_dlq_reader` })
  t.teardown(() => reader.disconnect())
  await reader.connect()
  await reader.subscribe([names.dlqTopic], { fromBeginning: true })
  await reader.run(async (batch) => { dead.push(...batch.records) })
  await waitFor('two dead letters', () => dead.length >= 2, 30_000)

  t.equal(dead.length, 2)
  t.same(dead[0]!.value, notJson, 'original bytes kept')
  t.equal(dead[0]!.key, roomId)
  t.match(dead[0]!.headers, { origin: 'fuzzer', 'dlq-reason': /not JSON/, 'dlq-source-topic': names.topic, 'dlq-service': 'etl-worker' })
  t.equal(dead[1]!.value?.toString('utf8'), badPayload)
  t.match(dead[1]!.headers['dlq-reason'], /bad chat\.message_sent payload/)
  t.match((await worker.inject('/metrics')).body, /etl_dead_letters_total\{service="etl-worker"\} 2/)
})
