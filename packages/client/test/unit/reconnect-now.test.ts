// "Retry now" and floating reactions in the SDK, with a scripted socket: reconnectNow() skips the
// pending backoff delay (and only that), and reaction.floated frames become `floated` events.
import t from 'tap'
import { fakeClient, sessionReady } from '../fake-socket.js'

t.test('reconnectNow() opens at once while a retry waits, and does nothing otherwise', async (t) => {
  // A long backoff: without reconnectNow() the second socket would not come for a minute.
  const { client, socket } = fakeClient(t, undefined, { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } })
  const connected = client.connect()
  const s1 = await socket(1)
  t.equal(client.reconnectNow(), false, 'connecting: nothing to skip')
  s1.serve(sessionReady(1))
  await connected
  t.equal(client.reconnectNow(), false, 'open: nothing to skip')
  const waits: number[] = []
  client.on('connection', (status, info) => { if (status === 'reconnecting' && info.retryInMs !== undefined) waits.push(info.retryInMs) })
  client.drop()
  t.same(waits, [60_000], 'a retry is scheduled a minute away')
  t.equal(client.reconnectNow(), true, 'skipped')
  const s2 = await socket(2)
  t.match(s2.url, /since=1$/, 'resumes where it was')
  t.equal(client.reconnectNow(), false, 'an attempt is under way: not a second one')
  s2.serve(sessionReady(1, { resumed: true }))
  t.equal(client.status, 'open')
  client.close()
  t.equal(client.reconnectNow(), false, 'closed for good stays closed')
})

t.test('reaction.floated frames are told as floated events; float() sends reaction.send', async (t) => {
  const { client, socket } = fakeClient(t)
  const connected = client.connect()
  const s1 = await socket(1)
  s1.serve(sessionReady(1))
  await connected
  const seen: unknown[] = []
  client.on('floated', (r) => seen.push(r))
  s1.serve({ type: 'reaction.floated', userId: 'host', name: 'Host', emoji: '🔥', at: 5 })
  s1.serve({ type: 'reaction.floated', userId: 'host', name: 'Host', emoji: 'not one of them', at: 6 })
  t.same(seen, [{ userId: 'host', name: 'Host', emoji: '🔥' }], 'a frame outside the set is ignored')
  client.float('👏')
  t.match(s1.sent.at(-1), { type: 'reaction.send', emoji: '👏' })
})
