// Smoke: the real app against the MongoDB wire-protocol server (and Kafka, which it also needs).
import { requireServer, stack, uniqueName } from '@watch-together/test-kit'
import { MongoClient } from 'mongodb'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

t.test('etl-worker inserts and finds in MongoDB through its client and reports ready', async (t) => {
  await requireServer('MongoDB (FerretDB)', stack.mongoUrl, async () => {
    const probe = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 3000 })
    await probe.db('admin').command({ ping: 1 })
    await probe.close()
  })
  const database = uniqueName('smoke')
  const app = await buildApp(readConfig({ MONGO_URL: stack.mongoUrl, MONGO_DB: database, KAFKA_BROKERS: stack.kafkaBrokers.join(','), ETL_CONSUME: 'false', LOG_LEVEL: 'warn' }))
  t.teardown(async () => { await app.mongo.db.dropDatabase(); await app.close() })

  const messages = app.mongo.db.collection<{ _id: string, roomId: string, text: string, at: Date }>('chat_messages')
  await messages.insertOne({ _id: 'evt-1', roomId: 'room-1', text: 'привет', at: new Date(1_700_000_000_000) })
  const found = await messages.findOne({ roomId: 'room-1' })
  t.same(found, { _id: 'evt-1', roomId: 'room-1', text: 'привет', at: new Date(1_700_000_000_000) })
  await t.rejects(messages.insertOne({ _id: 'evt-1', roomId: 'room-1', text: 'dup', at: new Date() }), { code: 11000 }, 'ids are unique')

  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { mongo: 'ok', kafka: 'ok' })
})
