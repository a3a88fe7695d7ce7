// Shared by the integration tests: each file gets its own topic, group id and database.
import { randomUUID } from 'node:crypto'
import { createAdmin, createProducer, eventRecord, type OutgoingRecord } from '@watch-together/kafka'
import type { EventEnvelope } from '@watch-together/protocol'
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import type { FastifyInstance } from 'fastify'
import { MongoClient } from 'mongodb'
import { buildApp } from '../../src/app.js'
import { archiveCollections } from '../../src/archive/collections.js'
import { readConfig } from '../../src/config.js'

export interface TestNames { topic: string, dlqTopic: string, groupId: string, database: string }

export function testNames (prefix: string): TestNames {
  const base = uniqueName(`etl_${prefix}`)
  return { topic: base, dlqTopic: `${base}.dlq`, groupId: `${base}_group`, database: base }
}

/** Fails (never skips) when Kafka or MongoDB is not answering; creates the file's topics. */
export async function prepare (names: TestNames, partitions = 3) {
  await requireServer('MongoDB (FerretDB)', stack.mongoUrl, async () => {
    const probe = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 3000 })
    try { await probe.db('admin').command({ ping: 1 }) } finally { await probe.close() }
  })
  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'etl-test', retries: 1 })
  await requireServer('Kafka', stack.kafkaBrokers.join(','), () => admin.connect())
  await admin.ensureTopics([{ topic: names.topic, partitions }, { topic: names.dlqTopic, partitions: 1 }])
  await admin.disconnect()
}

/** The worker's environment for this file (also used for child processes). */
export function workerEnv (names: TestNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGO_URL: stack.mongoUrl,
    MONGO_DB: names.database,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    KAFKA_TOPIC: names.topic,
    KAFKA_DLQ_TOPIC: names.dlqTopic,
    KAFKA_GROUP_ID: names.groupId,
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ETL_RETRY_INITIAL_MS: '100',
    ETL_RETRY_MAX_MS: '1000',
    LOG_LEVEL: process.env.ETL_TEST_LOG_LEVEL ?? 'warn', // info shows joins and assignments when a fault test fails
    ...extra
  }
}

export async function startWorker (names: TestNames, extra: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp(readConfig(workerEnv(names, extra)))
  await app.ready()
  return app
}

export async function openArchive (names: TestNames) {
  const client = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000 })
  await client.connect()
  const db = client.db(names.database)
  return { client, db, ...archiveCollections(db), close: async () => { await db.dropDatabase().catch(() => {}); await client.close() } }
}

export async function openProducer () {
  const producer = createProducer({ brokers: stack.kafkaBrokers, clientId: 'etl-test' })
  await producer.connect()
  return producer
}

export async function produceEvents (producer: Awaited<ReturnType<typeof openProducer>>, topic: string, events: EventEnvelope[]) {
  const records: OutgoingRecord[] = events.map(eventRecord)
  for (let i = 0; i < records.length; i += 500) await producer.send(topic, records.slice(i, i + 500))
}

/** Waits until the group has committed every record on the topic. */
export async function waitCommitted (names: TestNames, groupId = names.groupId, timeoutMs = 60_000) {
  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'etl-test' })
  await admin.connect()
  try {
    await waitFor(`group ${groupId} to commit the whole topic`, async () => {
      const [ends, done] = await Promise.all([admin.topicOffsets(names.topic), admin.groupOffsets(groupId, names.topic)])
      const committed = new Map(done.map((d) => [d.partition, d.offset]))
      return ends.every((e) => e.high === '0' || committed.get(e.partition) === e.high)
    }, timeoutMs, 200)
  } finally {
    await admin.disconnect()
  }
}

/** A room's events, numbered in order: `room.step(type, userId, payload, atOffsetMs)`. */
export function roomScript (start: number, roomId = randomUUID()) {
  let seq = 0
  const events: EventEnvelope[] = []
  return {
    roomId,
    events,
    step (type: string, userId: string | null, payload: Record<string, unknown>, offsetMs: number, source: EventEnvelope['source'] = 'test'): EventEnvelope {
      const event: EventEnvelope = { id: randomUUID(), type, roomId, userId, at: start + offsetMs, seq: ++seq, v: 1, source, payload }
      events.push(event)
      return event
    }
  }
}

/** A whole PlayerState, as realtime's player.command_applied carries it (the payload schema checks it). */
export function playerState (playing: boolean, positionMs: number, refAt: number, version: number) {
  return { queue: ['item-1'], index: 0, itemId: 'item-1', playing, positionMs, refAt, rate: 1, version, leaderId: null }
}

/** A user-scoped event (roomId null, Kafka key `user:<userId>`): a state change of the original device protocol. */
export function deviceEvent (userId: string, seq: number, at: number, message = 'on_pause'): EventEnvelope {
  const state = { tracks_queue: [1, 2], queue_position: 0, on_pause: message === 'on_pause', last_sec_position: 3.5, time_state_update: Math.floor(at / 1000) }
  return { id: randomUUID(), type: 'device.state_changed', roomId: null, userId, at, seq, v: 1, source: 'realtime', payload: { message, deviceId: `${userId}-phone`, state } }
}
