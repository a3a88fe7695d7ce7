// One user action followed by its W3C trace id across the three services, as deployed (dist/server.js at
// debug level): a REST room creation (the caller's traceparent) and a websocket command (a trace realtime
// starts) each reach Kafka with a traceparent header, are handled by the consumers inside that trace, and
// are archived by the etl-worker with the trace id on the document and in its log line.
import { createAdmin } from '@watch-together/kafka'
import { startBuiltService, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import { MongoClient } from 'mongodb'
import pg from 'pg'
import t from 'tap'
import { WebSocket } from 'ws'

const TICKET_SECRET = `ticket-secret-${uniqueName('s')}-0123456789`
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

const logsWith = (logs: Array<Record<string, unknown>>, traceId: string) => logs.filter((l) => l.traceId === traceId || (Array.isArray(l.traceIds) && l.traceIds.includes(traceId)))

t.test('a trace id from a REST call and from a websocket command reaches the archive and every log on the way', async (t) => {
  const topic = uniqueName('trace_topic')
  const schema = uniqueName('trace_schema')
  const database = uniqueName('trace_db')
  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'trace-test', retries: 2 })
  await admin.connect()
  await admin.ensureTopics([{ topic, partitions: 3 }])
  await admin.disconnect()
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: stack.databaseUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })
  const common = { KAFKA_BROKERS: stack.kafkaBrokers.join(','), KAFKA_TOPIC: topic, TICKET_SECRET, LOG_LEVEL: 'debug' }
  const roomApi = await startBuiltService(t, 'room-api', {
    ...common, DATABASE_URL: stack.databaseUrl, PG_SCHEMA: schema, KAFKA_GROUP_ID: uniqueName('trace_ra'), KAFKA_TOPIC_PARTITIONS: '3', DEV_SIGN_IN: 'true', OUTBOX_POLL_MS: '100'
  })
  const realtime = await startBuiltService(t, 'realtime', { ...common, REDIS_URL: stack.redisUrl, REDIS_PREFIX: uniqueName('trace_rt'), KAFKA_GROUP_ID: uniqueName('trace_rtg') })
  const etl = await startBuiltService(t, 'etl-worker', { ...common, MONGO_URL: stack.mongoUrl, MONGO_DB: database, KAFKA_GROUP_ID: uniqueName('trace_etl'), KAFKA_DLQ_TOPIC: `${topic}.dlq` })
  const mongo = new MongoClient(stack.mongoUrl)
  await mongo.connect()
  t.teardown(async () => { await mongo.db(database).dropDatabase().catch(() => {}); await mongo.close() })
  const events = mongo.db(database).collection<{ _id: string, type: string, roomId: string | null, traceId?: string }>('events')

  // REST: the caller's trace continues through the room creation.
  const signIn = await (await fetch(`${roomApi.base}/api/v1/auth/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Tracy' }) })).json() as { token: string }
  const created = await fetch(`${roomApi.base}/api/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signIn.token}`, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    body: JSON.stringify({ filmId: 'sintel' })
  })
  t.equal(created.status, 201)
  t.match(created.headers.get('traceparent'), new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`), 'the answer names the same trace')
  const roomId = ((await created.json()) as { room: { id: string } }).room.id
  const archivedCreate = await waitFor('room.created archived', async () => (await events.findOne({ roomId, type: 'room.created' })) ?? undefined, 60_000)
  t.equal(archivedCreate.traceId, TRACE_ID, 'the archived room.created carries the REST call\'s trace id')
  await waitFor('the trace in every service\'s logs', () =>
    logsWith(roomApi.logs(), TRACE_ID).length > 0 && logsWith(realtime.logs(), TRACE_ID).length > 0 && logsWith(etl.logs(), TRACE_ID).length > 0, 30_000)
  t.match(logsWith(roomApi.logs(), TRACE_ID).map((l) => l.msg), ['request completed'], 'room-api: the request')
  t.ok(logsWith(realtime.logs(), TRACE_ID).some((l) => l.msg === 'event applied'), 'realtime: room.created applied inside the trace')
  t.ok(logsWith(etl.logs(), TRACE_ID).some((l) => l.msg === 'events archived'), 'etl-worker: the chunk that archived it')

  // Websocket: realtime starts a trace per frame; the chat event carries it to the archive.
  const ticket = await (await fetch(`${roomApi.base}/api/v1/rooms/${roomId}/ticket`, { method: 'POST', headers: { authorization: `Bearer ${signIn.token}` } })).json() as { ticket: string }
  const socket = new WebSocket(`${realtime.base.replace('http', 'ws')}/rooms/${roomId}/ws?ticket=${ticket.ticket}`)
  t.teardown(() => socket.close())
  await new Promise((resolve) => socket.once('message', resolve))
  socket.send(JSON.stringify({ type: 'chat.send', clientMessageId: 'c1', text: 'traced' }))
  const archivedChat = await waitFor('the chat message archived', async () => (await events.findOne({ roomId, type: 'chat.message_sent' })) ?? undefined, 60_000)
  const chatTrace = archivedChat.traceId ?? ''
  t.match(chatTrace, /^[0-9a-f]{32}$/, 'the archived chat event has the frame\'s trace id')
  t.not(chatTrace, TRACE_ID, 'its own trace, not the room creation\'s')
  await waitFor('the chat trace in the logs', () => logsWith(realtime.logs(), chatTrace).length > 0 && logsWith(etl.logs(), chatTrace).length > 0, 30_000)
  t.ok(logsWith(realtime.logs(), chatTrace).some((l) => l.msg === 'frame handled'), 'realtime: the frame that made it')
  t.ok(logsWith(etl.logs(), chatTrace).some((l) => l.msg === 'events archived'), 'etl-worker: the chunk that archived it')
  await Promise.all([roomApi.stop(), realtime.stop(), etl.stop()])
})
