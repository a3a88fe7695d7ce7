// `pnpm --filter @watch-together/etl-worker bench`: the worker's archive throughput and end-to-end
// lag, next to a bare insertMany loop writing the same event documents to the same server in the
// same run. Talks only to the local stack (127.0.0.1) through MONGO_URL / KAFKA_BROKERS.
import { randomBytes, randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createAdmin, createProducer, eventRecord } from '@watch-together/kafka'
import type { EventEnvelope } from '@watch-together/protocol'
import { MongoClient, type Db } from 'mongodb'
import { table } from '../src/analytics/format.js'
import { DURABLE } from '../src/archive/archive-writer.js'
import { type ChatMessageDoc, type EventDoc } from '../src/archive/collections.js'
import { chatWrites, toEventDoc } from '../src/archive/documents.js'
import { INDEXES } from '../src/archive/indexes.js'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, rate: { type: 'string', default: '300' }, seconds: { type: 'string', default: '10' } } })
const TOTAL = Number(values.events)
const ROUNDS = Math.max(1, Number(values.rounds))
const RATE = Number(values.rate)
const SECONDS = Number(values.seconds)
const base = readConfig(process.env)
const run = `etl_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
const progress = (line: string) => { process.stderr.write(`\r${line}   `) }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function makeEvents (count: number, rooms: string[], at: () => number, seqs = new Map<string, number>()): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) => {
    const roomId = rooms[i % rooms.length]!
    const seq = (seqs.get(roomId) ?? 0) + 1
    seqs.set(roomId, seq)
    const common = { id: randomUUID(), roomId, userId: `u${i % 7}`, at: at(), seq, v: 1, source: 'test' as const }
    return i % 4 === 0
      ? { ...common, type: 'player.command_applied', payload: { command: 'seek', version: seq, state: { queue: ['x'], index: 0, itemId: 'x', playing: true, positionMs: i, refAt: common.at, rate: 1, version: seq, leaderId: null } } }
      : { ...common, type: 'chat.message_sent', payload: { messageId: randomUUID(), clientMessageId: `c${i}`, name: 'Bench', text: `message ${i} `.repeat(4), positionMs: i } }
  })
}

/**
 * The baseline: the same event and chat documents the worker writes, inserted in the same chunks,
 * one after another. `indexed`: into collections with the archive's secondary indexes (what the
 * worker writes into), else into bare collections.
 */
async function bareInsertLoop (db: Db, events: EventEnvelope[], chunk: number, indexed: boolean): Promise<number> {
  const suffix = indexed ? 'indexed' : 'plain'
  const eventsOut = db.collection<EventDoc>(`bare_events_${suffix}`)
  const chatOut = db.collection<ChatMessageDoc>(`bare_chat_messages_${suffix}`)
  if (indexed) {
    for (const index of INDEXES.events) await eventsOut.createIndex(index.key, { name: index.name! })
    for (const index of INDEXES.chatMessages) await chatOut.createIndex(index.key, { name: index.name! })
  }
  const start = performance.now()
  for (let i = 0; i < events.length; i += chunk) {
    const slice = events.slice(i, i + chunk)
    await eventsOut.insertMany(slice.map((e) => toEventDoc(e)), { ordered: false, writeConcern: DURABLE })
    const { messages } = chatWrites(slice, null)
    if (messages.length > 0) await chatOut.insertMany(messages, { ordered: false, writeConcern: DURABLE })
  }
  return performance.now() - start
}

function percentiles (lags: number[]) {
  const sorted = [...lags].sort((a, b) => a - b)
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return { events: sorted.length, p50: pick(0.5), p95: pick(0.95), max: sorted[sorted.length - 1] ?? NaN }
}

/** Sends `perTick` fresh events every 50 ms for SECONDS; `send` resolves with each event's lag. */
async function steady (send: (events: EventEnvelope[], sentAt: number) => Promise<void>) {
  const rooms = Array.from({ length: 20 }, () => randomUUID())
  const perTick = Math.max(1, Math.round(RATE / 20))
  const seqs = new Map<string, number>() // kept across ticks: each room's seq keeps rising, so every event counts in its summary
  const end = Date.now() + SECONDS * 1000
  while (Date.now() < end) {
    const tick = Date.now()
    await send(makeEvents(perTick, rooms, () => tick, seqs), tick)
    await sleep(Math.max(0, 50 - (Date.now() - tick)))
  }
}

/**
 * Lag through the worker, measured on Kafka so measuring does not load MongoDB: a tick's events
 * count as queryable once the group has committed past the partition ends seen right after they
 * were sent (the worker commits only after its writes are durable, so this is an upper bound).
 */
async function lagThroughWorker (admin: ReturnType<typeof createAdmin>, producer: ReturnType<typeof createProducer>, topic: string, group: string) {
  const lags: number[] = []
  const pending: Array<{ sentAt: number, count: number, highs: Map<number, bigint> }> = []
  const state = { sending: true }
  const watcher = (async () => {
    const deadline = () => Date.now() + 60_000
    let giveUp = deadline()
    while (state.sending || (pending.length > 0 && Date.now() < giveUp)) {
      const done = new Map((await admin.groupOffsets(group, topic)).map((o) => [o.partition, BigInt(o.offset)]))
      const now = Date.now()
      while (pending.length > 0 && [...pending[0]!.highs].every(([p, high]) => (done.get(p) ?? -1n) >= high)) {
        const tick = pending.shift()!
        for (let i = 0; i < tick.count; i++) lags.push(now - tick.sentAt)
      }
      if (state.sending) giveUp = deadline()
      await sleep(25)
    }
  })()
  await steady(async (events, sentAt) => {
    await producer.send(topic, events.map(eventRecord))
    const highs = new Map((await admin.topicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]))
    pending.push({ sentAt, count: events.length, highs })
  })
  state.sending = false
  await watcher
  return percentiles(lags)
}

/** The baseline: the same documents inserted directly; queryable when insertMany returns. */
async function lagDirect (db: Db) {
  const lags: number[] = []
  const eventsOut = db.collection<EventDoc>('bare_steady_events')
  const chatOut = db.collection<ChatMessageDoc>('bare_steady_chat')
  await steady(async (events, sentAt) => {
    await eventsOut.insertMany(events.map((e) => toEventDoc(e)), { writeConcern: DURABLE })
    const { messages } = chatWrites(events, null)
    if (messages.length > 0) await chatOut.insertMany(messages, { writeConcern: DURABLE })
    const now = Date.now()
    for (let i = 0; i < events.length; i++) lags.push(now - sentAt)
  })
  return percentiles(lags)
}

interface Round { workerMs: number, startupMs: number, bareMs: number, writeSum: number, writeCount: number, samples: Array<[number, number]> }

/**
 * A fresh worker (consumer group and database `name`) drains the pre-filled topic. Progress is read
 * from Kafka (the group's commits), not by counting in MongoDB, so measuring does not compete with
 * the worker for the server. The clock starts when the worker has joined the group and may fetch;
 * start-up (MongoDB indexes, Kafka connect, group join) is reported on its own. Returns the app,
 * still consuming.
 */
async function drainWithWorker (name: string): Promise<Omit<Round, 'bareMs'> & { app: Awaited<ReturnType<typeof buildApp>> }> {
  const env = { ...process.env, MONGO_DB: name, KAFKA_TOPIC: run, KAFKA_DLQ_TOPIC: `${run}.dlq`, KAFKA_GROUP_ID: name, LOG_LEVEL: 'warn', ETL_FINALIZE_INTERVAL_MS: '3600000' }
  const firstSeen = performance.now()
  const app = await buildApp(readConfig(env))
  const ends = await admin.topicOffsets(run)
  const committed = async () => {
    const done = new Map((await admin.groupOffsets(name, run)).map((o) => [o.partition, BigInt(o.offset)]))
    return ends.reduce((n, e) => n + Number((done.get(e.partition) ?? 0n) < 0n ? 0n : done.get(e.partition) ?? 0n), 0)
  }
  const samples: Array<[number, number]> = [] // [ms since start, events committed]: archive throughput over time
  await app.ready()
  for (const giveUp = Date.now() + 60_000; app.archive.assignment.size === 0; await sleep(5)) {
    if (Date.now() > giveUp) throw new Error('the worker did not join the group within 60 s')
  }
  const joined = performance.now()
  for (let n = 0; n < TOTAL; await sleep(50)) {
    n = await committed()
    samples.push([Math.round(performance.now() - firstSeen), n])
    progress(`${name}: worker ${n}/${TOTAL} committed`)
  }
  const workerMs = performance.now() - joined
  const writes = (await app.archive.metrics.writeSeconds.get()).values
  const writeSum = writes.find((v) => v.metricName === 'etl_write_duration_seconds_sum')?.value ?? 0
  const writeCount = writes.find((v) => v.metricName === 'etl_write_duration_seconds_count')?.value ?? 0
  return { app, workerMs, startupMs: joined - firstSeen, writeSum, writeCount, samples }
}

const settings = { brokers: base.KAFKA_BROKERS, clientId: 'etl-bench' }
const admin = createAdmin(settings)
const producer = createProducer(settings)
const client = new MongoClient(base.MONGO_URL)
await Promise.all([admin.connect(), producer.connect(), client.connect()])
const db = client.db(run)
try {
  await admin.ensureTopics([{ topic: run, partitions: 6 }, { topic: `${run}.dlq`, partitions: 1 }])
  const rooms = Array.from({ length: 50 }, () => randomUUID())
  const events = makeEvents(TOTAL, rooms, () => Date.now())
  for (let i = 0; i < events.length; i += 1000) await producer.send(run, events.slice(i, i + 1000).map(eventRecord))

  // 1. Throughput, in rounds: each round a fresh worker (own group, own database) drains the
  // pre-filled topic, and the bare loop writes the same documents into a fresh database of its own.
  // The order alternates between rounds, so a load that comes and goes on this shared machine
  // falls on both sides; the headline is the median of the rounds' ratios. Round 0 warms up (the
  // first round in a process pays for JIT compilation and first connections, mostly on the
  // worker's side) and is shown but not counted.
  const rounds: Round[] = []
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  for (let k = 0; k <= ROUNDS; k++) {
    const bareFirst = k % 2 === 0
    const bare = async () => { progress(`round ${k}: bare insertMany loop`); return await bareInsertLoop(client.db(`${run}_${k}`), events, base.ETL_CHUNK_SIZE, true) }
    await app?.close() // the previous round's worker, idle but still polling Kafka
    app = undefined
    const bareMs = bareFirst ? await bare() : 0
    const drained = await drainWithWorker(`${run}_${k}`)
    app = drained.app
    rounds.push({ ...drained, bareMs: bareFirst ? bareMs : await bare() })
  }
  progress('bare insertMany loop without secondary indexes')
  const plainMs = await bareInsertLoop(client.db(`${run}_plain`), events, base.ETL_CHUNK_SIZE, false)

  // 3. End-to-end lag at a steady rate: produced → queryable through the worker, vs inserted directly.
  progress('steady rate through the worker')
  const viaWorker = await lagThroughWorker(admin, producer, run, `${run}_${ROUNDS}`)
  await app!.close()
  progress('steady rate, direct inserts')
  const direct = await lagDirect(db)
  process.stderr.write('\n')

  const rate = (ms: number) => Math.round(TOTAL / (ms / 1000))
  const sum = (pick: (r: Round) => number) => rounds.reduce((n, r) => n + pick(r), 0)
  const warmup = rounds.shift()!
  const ratios = rounds.map((r) => r.bareMs / r.workerMs).sort((a, b) => a - b)
  const median = ratios.length % 2 === 1 ? ratios[(ratios.length - 1) / 2]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2
  const [workerTotal, bareTotal] = [sum((r) => r.workerMs), sum((r) => r.bareMs)]
  const perRound = (ms: number) => Math.round(ms / rounds.length)
  process.stdout.write([
    `etl-worker benchmark: ${TOTAL} events (3/4 chat messages), 50 rooms, 6 partitions, chunk ${base.ETL_CHUNK_SIZE}, ` +
      `${base.ETL_PARTITION_CONCURRENCY} partitions at once, write concern majority+journal on both sides, ${ROUNDS} rounds after a warm-up`,
    'The worker reads the events from Kafka, writes every event, every chat message and the 50 room summaries, and',
    'commits each chunk to Kafka after its writes return. The bare loop writes only the same event and chat documents',
    '(no summaries, no Kafka), in chunks of the same size, one insertMany after another, into collections with the',
    'same secondary indexes as the archive\'s. Each round uses fresh databases; the order of the two alternates.',
    '',
    table('Archive throughput', ['round', 'etl-worker events/s', 'ms', 'bare loop events/s', 'ms', 'ratio'], [
      ['0 (warm-up, not counted)', rate(warmup.workerMs), Math.round(warmup.workerMs), rate(warmup.bareMs), Math.round(warmup.bareMs), (warmup.bareMs / warmup.workerMs).toFixed(2)],
      ...rounds.map((r, i) => [`${i + 1} (${i % 2 === 1 ? 'bare first' : 'worker first'})`, rate(r.workerMs), Math.round(r.workerMs), rate(r.bareMs), Math.round(r.bareMs), (r.bareMs / r.workerMs).toFixed(2)]),
      ['all rounds', rate(perRound(workerTotal)), perRound(workerTotal), rate(perRound(bareTotal)), perRound(bareTotal), (bareTotal / workerTotal).toFixed(2)],
      ['median ratio', '', '', '', '', median.toFixed(2)]
    ]),
    `etl-worker start-up before each round's clock (indexes, Kafka connect, group join): ${rounds.map((r) => Math.round(r.startupMs)).join(' / ')} ms`,
    `bare loop without secondary indexes (reference): ${rate(plainMs)} events/s (${Math.round(plainMs)} ms)`,
    `worker: ${sum((r) => r.writeCount)} chunks, ${Math.round(sum((r) => r.writeSum) * 1000)} ms writing to MongoDB (${Math.round(sum((r) => r.writeSum) * 1000 / Math.max(1, sum((r) => r.writeCount)))} ms per chunk, handed in → durable; with ETL_WRITE_CONCURRENCY ${base.ETL_WRITE_CONCURRENCY}, requests wait for one another)`,
    '',
    table(`End-to-end lag at ${RATE} events/s for ${SECONDS} s (ms, produced → durable in MongoDB)`, ['path', 'events', 'p50', 'p95', 'max'], [
      ['Kafka → etl-worker → MongoDB (committed)', viaWorker.events, viaWorker.p50, viaWorker.p95, viaWorker.max],
      ['direct insertMany (returned)', direct.events, direct.p50, direct.p95, direct.max]
    ])
  ].join('\n') + '\n')
  // BENCH_JSON=path: the same figures as JSON, for infra/bench (pnpm bench).
  if (process.env.BENCH_JSON) {
    writeFileSync(process.env.BENCH_JSON, JSON.stringify({
      events: TOTAL,
      warmup: { workerMs: Math.round(warmup.workerMs), bareMs: Math.round(warmup.bareMs) },
      rounds: rounds.map((r) => ({ workerMs: Math.round(r.workerMs), bareMs: Math.round(r.bareMs), startupMs: Math.round(r.startupMs) })),
      medianRatio: median,
      workerEventsPerSec: rate(perRound(workerTotal)),
      bareEventsPerSec: rate(perRound(bareTotal)),
      bareNoIndexEventsPerSec: rate(plainMs),
      rate: RATE,
      seconds: SECONDS,
      viaWorker,
      direct,
      samples: rounds[0]!.samples
    }, null, 2))
  }
} finally {
  for (const name of [run, `${run}_plain`, ...Array.from({ length: ROUNDS + 1 }, (_, k) => `${run}_${k}`)]) await client.db(name).dropDatabase().catch(() => {})
  await admin.deleteTopics([run, `${run}.dlq`]).catch(() => {})
  await Promise.all([admin.disconnect(), producer.disconnect(), client.close()])
}
