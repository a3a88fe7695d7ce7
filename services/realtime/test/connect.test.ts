// Connecting: tickets, origins, frame size, bad frames and clock sync, against the real Redis and Kafka.
import { randomUUID } from 'node:crypto'
import { CLOSE_CODES, ServerFrame } from '@watch-together/protocol'
import t from 'tap'
import { startApp, testConfig, TestClient, ticket } from './helpers.js'

const config = testConfig({ ALLOWED_ORIGINS: 'https://watch.example', WS_MAX_FRAME_BYTES: '2048' })
const { base } = await startApp(t, config)

t.test('a bad, expired or foreign ticket closes with its code before any room data', async (t) => {
  const roomId = randomUUID()
  const cases: Array<[string, string, number]> = [
    ['missing', `${base}/rooms/${roomId}/ws`, CLOSE_CODES.ticketInvalid],
    ['garbage', `${base}/rooms/${roomId}/ws?ticket=abc.def.ghi`, CLOSE_CODES.ticketInvalid],
    ['wrong secret', `${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, {}, 300, 'another-secret-0123456789')}`, CLOSE_CODES.ticketInvalid],
    ['expired', `${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, {}, -10)}`, CLOSE_CODES.ticketExpired],
    ['other room', `${base}/rooms/${roomId}/ws?ticket=${await ticket(randomUUID())}`, CLOSE_CODES.wrongRoom]
  ]
  for (const [name, url, code] of cases) {
    const client = new TestClient(url)
    const closed = await client.closed
    t.equal(closed.code, code, `${name}: close code ${code}`)
    t.ok(closed.reason.length > 0, `${name}: a reason (${closed.reason})`)
    t.same(client.pending(), [], `${name}: no frame was sent`)
  }
})

t.test('origins outside the allow-list are refused; listed ones connect', async (t) => {
  const roomId = randomUUID()
  const refused = new TestClient(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId)}`, { origin: 'https://evil.example' })
  t.equal((await refused.closed).code, CLOSE_CODES.originNotAllowed)
  const allowed = new TestClient(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId)}`, { origin: 'https://watch.example' })
  const ready = await allowed.ofType('session.ready')
  t.ok(ServerFrame.safeParse(ready).success, 'session.ready matches its schema')
  await allowed.close()
})

t.test('bad frames get error frames with stable codes and the socket stays open', async (t) => {
  const { client } = await TestClient.join(base, randomUUID())
  t.teardown(() => client.close())
  const cases: Array<[unknown, string, string?]> = [
    ['{not json', 'RT_BAD_JSON'],
    [JSON.stringify({ type: 'player.explode' }), 'RT_UNKNOWN_TYPE', 'type'],
    [JSON.stringify({ no: 'type' }), 'RT_UNKNOWN_TYPE', 'type'],
    [JSON.stringify(null), 'RT_UNKNOWN_TYPE', 'type'],
    [JSON.stringify({ type: 'player.seek', version: 0, positionMs: 'soon' }), 'RT_INVALID_FRAME', 'positionMs'],
    [JSON.stringify({ type: 'player.set_rate', version: 0, rate: 100 }), 'RT_INVALID_FRAME', 'rate'],
    [JSON.stringify({ type: 'chat.send', clientMessageId: 'x', text: 'a'.repeat(1001) }), 'RT_TEXT_TOO_LONG', 'text']
  ]
  for (const [raw, code, path] of cases) {
    client.send(raw)
    const error = await client.ofType('error')
    t.equal(error.code, code, `${String(raw).slice(0, 40)} → ${code}`)
    if (path) t.equal(error.path, path)
    t.ok(ServerFrame.safeParse(error).success)
  }
  client.socket.send(Buffer.from([1, 2, 3]), { binary: true })
  t.equal((await client.ofType('error')).code, 'RT_BINARY_FRAME')

  client.send({ type: 'clock.ping', ref: 'c1', clientSentAt: 123 })
  const pong = await client.ofType('clock.replied')
  t.equal(pong.ref, 'c1')
  t.equal(pong.clientSentAt, 123)
  t.ok(pong.serverSentAt >= pong.serverReceivedAt, 'server receive and send times')
})

t.test('a frame over the size limit closes with 1009', async (t) => {
  const { client } = await TestClient.join(base, randomUUID())
  client.send({ type: 'chat.send', clientMessageId: 'big', text: 'x'.repeat(4096) })
  t.equal((await client.closed).code, CLOSE_CODES.tooBig)
})

t.test('a peer that stops answering pings is dropped', async (t) => {
  const pinging = testConfig({ WS_PING_INTERVAL_MS: '100' })
  const app = await startApp(t, pinging)
  const roomId = randomUUID()
  const client = new TestClient(`${app.base}/rooms/${roomId}/ws?ticket=${await ticket(roomId)}`, {}, false)
  await client.ofType('session.ready')
  const closed = await client.closed
  t.equal(closed.code, 1006, 'terminated without a close frame')
})
