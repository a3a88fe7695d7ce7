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
  // Not waiting for session.ready: on a loaded machine two missed 100 ms pings can come before it.
  const closed = await client.closed
  t.equal(closed.code, 1006, 'terminated without a close frame')
})

t.test('a stream of malformed frames of every known type never breaks the socket or the room', async (t) => {
  const { client } = await TestClient.join(base, randomUUID())
  t.teardown(() => client.close())
  const values: unknown[] = [null, true, 0, -1, 1e308, 'x', '', [], {}, [1, 2], { a: 1 }, 'a'.repeat(300)]
  const types = ['clock.ping', 'player.play', 'player.pause', 'player.seek', 'player.set_rate', 'player.next', 'player.previous',
    'player.jump', 'player.replace_queue', 'player.append_queue', 'chat.send', 'chat.react', 'chat.set_typing', 'buffering.report']
  const fields = ['version', 'positionMs', 'rate', 'index', 'items', 'clientMessageId', 'text', 'messageId', 'emoji', 'typing', 'buffering', 'ref', 'leadMs']
  let sent = 0
  for (const type of types) {
    for (const field of fields) {
      for (const value of values) {
        client.send({ type, version: -1, [field]: value })
        sent++
      }
    }
  }
  // A socket's frames are handled in order: once the ping is answered, every frame before it was.
  client.send({ type: 'clock.ping', clientSentAt: 1 })
  t.equal((await client.ofType('clock.replied', 'the ping after the storm')).clientSentAt, 1)
  const answers = client.pending()
  t.ok(answers.length > 0 && answers.length <= sent, `${sent} frames sent, ${answers.length} answered`)
  t.notOk(answers.some((f) => f.code === 'RT_INTERNAL'), 'no internal error')
  const off = answers.filter((f) => !ServerFrame.safeParse(f).success)
  t.same(off, [], 'every answer matches the protocol')
  const { ready } = await TestClient.join(base, randomUUID())
  t.equal(ready.type, 'session.ready', 'and the server still serves rooms')
})
