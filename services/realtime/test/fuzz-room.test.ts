// Fuzzing the room protocol (/rooms/:roomId/ws) with fast-check: frames from the zod schemas, mutated frames,
// raw garbage, binary and oversized frames, against the real app on Redis and Kafka. Properties: the process
// never throws, every frame the schema refuses gets the documented error code and changes nothing in the room,
// every frame the server sends matches ServerFrame, and RT_INTERNAL never appears.
// FUZZ_RUNS=5000 pnpm fuzz for a long pass (FUZZ_SEED replays one).
import { randomUUID } from 'node:crypto'
import { CLIENT_FRAME_TYPES, CLOSE_CODES, ClientFrame, ServerFrame } from '@watch-together/protocol'
import fc from 'fast-check'
import t from 'tap'
import { anyTextFrame, fuzzParams } from './fuzz-frames.js'
import { startApp, testConfig, TestClient, type Frame } from './helpers.js'

const config = testConfig({ WS_MAX_FRAME_BYTES: '4096', CHAT_RATE_MAX: '10000' })
const { base, http } = await startApp(t, config)

/** The code the README documents for a text frame the schema refuses; null when the schema accepts it. */
function expectedCode (text: string): string | null {
  let json: unknown
  try { json = JSON.parse(text) } catch { return 'RT_BAD_JSON' }
  const type = (json as { type?: unknown } | null)?.type
  if (typeof type !== 'string' || !CLIENT_FRAME_TYPES.includes(type)) return 'RT_UNKNOWN_TYPE'
  return ClientFrame.safeParse(json).success ? null : 'RT_INVALID_FRAME'
}

let syncs = 0
/** Sends a clock ping and returns every frame that arrived before its answer (the socket handles frames in order). */
async function roundTrip (client: TestClient): Promise<Frame[]> {
  const ref = `sync-${++syncs}`
  client.send({ type: 'clock.ping', ref, clientSentAt: 0 })
  const before: Frame[] = []
  await client.next((f) => f.ref === ref && f.type === 'clock.replied', `reply ${ref}`)
  before.push(...client.pending().splice(0))
  // pending() is a copy; drain the real buffer by taking every frame that is left.
  while (client.pending().length > 0) await client.next(() => true)
  return before
}

t.test('frames the schema refuses get their documented code and change nothing', async (t) => {
  const roomId = randomUUID()
  const { client: fuzzer, ready } = await TestClient.join(base, roomId, { userId: 'fuzzer' })
  const { client: watcher } = await TestClient.join(base, roomId, { userId: 'watcher' })
  t.teardown(() => Promise.all([fuzzer.close(), watcher.close()]))
  await fuzzer.ofType('presence.joined')
  let checked = 0
  await fc.assert(fc.asyncProperty(anyTextFrame, async (text) => {
    const code = expectedCode(text)
    if (code === null) return true
    fuzzer.send(text)
    const replies = await roundTrip(fuzzer)
    const errors = replies.filter((f) => f.type === 'error')
    checked++
    return errors.length === 1 && errors[0]!.code === code && replies.length === 1 && ServerFrame.safeParse(errors[0]).success
  }), fuzzParams)
  t.ok(checked > 0, `${checked} refused frames checked`)
  t.same(watcher.pending().filter((f) => f.seq !== undefined), [], 'the room saw no event')
  const { client: late, ready: now } = await TestClient.join(base, roomId, { userId: 'late' })
  // refAt of a stopped player is the snapshot time; everything else must be as it was.
  t.same({ ...now.state, refAt: 0 }, { ...ready.state, refAt: 0 }, 'the player state is unchanged')
  t.same(now.chat, [], 'no chat message was stored')
  await late.close()
})

t.test('any frames, valid or not: the socket stays open, replies match the schema, never RT_INTERNAL', async (t) => {
  const roomId = randomUUID()
  const { client: fuzzer } = await TestClient.join(base, roomId, { userId: 'fuzzer', role: 'host' })
  const { client: watcher } = await TestClient.join(base, roomId, { userId: 'watcher' })
  t.teardown(() => Promise.all([fuzzer.close(), watcher.close()]))
  await fc.assert(fc.asyncProperty(fc.array(anyTextFrame, { minLength: 1, maxLength: 8 }), async (texts) => {
    for (const text of texts) fuzzer.send(text)
    const replies = await roundTrip(fuzzer)
    for (const frame of replies) {
      if (!ServerFrame.safeParse(frame).success) throw new Error(`reply off the schema: ${JSON.stringify(frame).slice(0, 300)}`)
      if (frame.code === 'RT_INTERNAL') throw new Error(`RT_INTERNAL after ${JSON.stringify(texts).slice(0, 500)}`)
    }
    return true
  }), { ...fuzzParams, numRuns: Math.max(10, Math.floor(fuzzParams.numRuns / 3)) })
  await roundTrip(watcher)
  t.ok(watcher.pending().every((f) => ServerFrame.safeParse(f).success), 'the other member got only well-formed frames')
  t.equal((await fetch(`${http}/healthz`)).status, 200, 'still healthy')
})

t.test('binary and oversized frames', async (t) => {
  const roomId = randomUUID()
  const { client } = await TestClient.join(base, roomId)
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
    client.socket.send(bytes, { binary: true })
    const replies = await roundTrip(client)
    return replies.length === 1 && replies[0]!.code === 'RT_BINARY_FRAME'
  }), { ...fuzzParams, numRuns: Math.max(5, Math.floor(fuzzParams.numRuns / 5)) })
  for (const size of [4097, 70_000, 1_000_000]) {
    const { client: big } = await TestClient.join(base, roomId)
    big.send({ type: 'chat.send', clientMessageId: 'big', text: 'x'.repeat(size) })
    t.equal((await big.closed).code, CLOSE_CODES.tooBig, `${size} bytes → 1009`)
  }
  const { ready } = await TestClient.join(base, roomId, { userId: 'after' })
  t.same(ready.chat, [], 'oversized messages stored nothing')
  await client.close()
})

t.test('moderation frames from a guest, stale or unknown ids: stable codes, nothing changes', async (t) => {
  const roomId = randomUUID()
  const { client: host } = await TestClient.join(base, roomId, { userId: 'host', role: 'host' })
  const { client: guest } = await TestClient.join(base, roomId, { userId: 'guest' })
  t.teardown(() => Promise.all([host.close(), guest.close()]))
  host.send({ type: 'chat.send', clientMessageId: 'keep', text: 'keep me' })
  const { message } = await guest.ofType('chat.message_sent')
  await host.ofType('chat.message_sent')
  await Promise.all([roundTrip(host), roundTrip(guest)])
  const messageId = fc.oneof(fc.constant(message.messageId), fc.uuid(), fc.string({ minLength: 1, maxLength: 64 }), fc.string({ minLength: 65, maxLength: 200 }))
  const frame = fc.record({ type: fc.constant('chat.delete'), messageId, ref: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }) })
  await fc.assert(fc.asyncProperty(frame, fc.boolean(), async (f, asHost) => {
    const sender = asHost ? host : guest
    if (asHost && f.messageId === message.messageId) return true // the one valid delete, checked below
    sender.send(f)
    const replies = await roundTrip(sender)
    const codes = replies.map((r) => r.code)
    const wanted = f.messageId.length > 64 || (f.ref !== undefined && f.ref.length > 64) ? 'RT_INVALID_FRAME' : asHost ? 'RT_MESSAGE_NOT_FOUND' : 'RT_NOT_HOST'
    if (codes.length !== 1 || codes[0] !== wanted) throw new Error(`${JSON.stringify(f)} as ${asHost ? 'host' : 'guest'} → ${JSON.stringify(replies)}`)
    return true
  }), fuzzParams)
  await roundTrip(host)
  t.same(host.pending().filter((f) => f.seq !== undefined), [], 'the room saw no event')
  const { client: late, ready } = await TestClient.join(base, roomId, { userId: 'late' })
  t.match(ready.chat, [{ messageId: message.messageId, text: 'keep me' }], 'the message is still there')
  t.notOk(ready.chat[0].deleted)
  await late.close()
})
