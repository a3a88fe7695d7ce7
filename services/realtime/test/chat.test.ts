// Chat: history on join, idempotent retries, rate limit, reactions, typing, plain text.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig({ CHAT_HISTORY_SIZE: '3', CHAT_RATE_MAX: '5', CHAT_RATE_WINDOW_MS: '60000' })
const { base } = await startApp(t, config)

t.test('messages carry the sender and position; late joiners get the last N', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a', name: 'Ann' })
  t.teardown(() => a.close())
  a.send({ type: 'player.replace_queue', version: 0, items: ['f'] })
  await a.ofType('player.state_changed')
  a.send({ type: 'player.seek', version: 1, positionMs: 42_000 })
  await a.ofType('player.state_changed')
  for (const n of [1, 2, 3, 4]) {
    a.send({ type: 'chat.send', ref: `r${n}`, clientMessageId: `m${n}`, text: `<b>message ${n}</b>` })
    const sent = await a.ofType('chat.message_sent')
    t.match(sent, { ref: `r${n}`, message: { userId: 'a', name: 'Ann', text: `<b>message ${n}</b>`, positionMs: 42_000, clientMessageId: `m${n}` } })
  }
  const { client: b, ready } = await TestClient.join(base, roomId, { userId: 'b' })
  t.teardown(() => b.close())
  t.same(ready.chat.map((m: { text: string }) => m.text), ['<b>message 2</b>', '<b>message 3</b>', '<b>message 4</b>'], 'the last 3, oldest first, text as sent')
})

t.test('a retried message is stored once and answered with the original', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(base, roomId, { userId: 'b' })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  a.send({ type: 'chat.send', clientMessageId: 'same', text: 'once', positionMs: 1000 })
  const first = await a.ofType('chat.message_sent')
  await b.ofType('chat.message_sent')
  a.send({ type: 'chat.send', clientMessageId: 'same', text: 'once', positionMs: 1000 })
  const retry = await a.ofType('chat.message_sent')
  t.equal(retry.message.messageId, first.message.messageId, 'same message id')
  t.equal(retry.seq, first.seq, 'same seq')
  t.equal(retry.message.positionMs, 1000, "the sender's own position is kept")
  a.send({ type: 'chat.send', clientMessageId: 'other', text: 'twice' })
  t.equal((await b.ofType('chat.message_sent')).message.text, 'twice', 'b never got the retry, only the next message')
  const { ready } = await TestClient.join(base, roomId, { userId: 'c' })
  t.same(ready.chat.map((m: { text: string }) => m.text), ['once', 'twice'])
})

t.test('the per-user rate limit answers with a clear error', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'spammer' })
  t.teardown(() => a.close())
  for (let n = 0; n < 5; n++) {
    a.send({ type: 'chat.send', clientMessageId: `s${n}`, text: 'spam' })
    await a.ofType('chat.message_sent')
  }
  a.send({ type: 'chat.send', ref: 'sixth', clientMessageId: 's5', text: 'spam' })
  const error = await a.ofType('error')
  t.match(error, { code: 'RT_RATE_LIMITED', ref: 'sixth' })
  t.ok(error.retryAfterMs > 0 && error.retryAfterMs <= 60_000, 'says when to retry')
})

t.test('reactions reach everyone and show in history; typing is relayed', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(base, roomId, { userId: 'b', name: 'Bob' })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  a.send({ type: 'chat.send', clientMessageId: 'm', text: 'react to me' })
  const { message } = await b.ofType('chat.message_sent')
  b.send({ type: 'chat.react', messageId: message.messageId, emoji: '🎬' })
  t.match(await a.ofType('chat.reaction_added'), { messageId: message.messageId, emoji: '🎬', userId: 'b' })
  b.send({ type: 'chat.react', messageId: 'nope', emoji: '🎬' })
  t.equal((await b.ofType('error')).code, 'RT_MESSAGE_NOT_FOUND')
  const { ready } = await TestClient.join(base, roomId, { userId: 'c' })
  t.same(ready.chat[0].reactions, { '🎬': ['b'] })

  b.send({ type: 'chat.set_typing', typing: true })
  t.match(await a.ofType('chat.typing_changed'), { userId: 'b', name: 'Bob', typing: true })
})

t.test('a floating reaction reaches everyone live, only from the closed set, and is never replayed', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(base, roomId, { userId: 'b', name: 'Bob' })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  b.send({ type: 'reaction.send', emoji: '🔥' })
  const floated = await a.ofType('reaction.floated')
  t.match(floated, { userId: 'b', name: 'Bob', emoji: '🔥' })
  t.equal(floated.seq, undefined, 'not a room event: no seq')
  b.send({ type: 'reaction.send', ref: 'x', emoji: '<script>' })
  t.match(await b.ofType('error'), { code: 'RT_INVALID_FRAME', ref: 'x', path: 'emoji' })
  const { ready } = await TestClient.join(base, roomId, { userId: 'c' })
  t.same(ready.chat, [], 'nothing stored in the chat history')
})

t.test('buffering is shown to the room without pausing it', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(base, roomId, { userId: 'b' })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  a.send({ type: 'player.play', version: 0 })
  await b.ofType('player.state_changed')
  b.send({ type: 'buffering.report', buffering: true })
  t.match(await a.ofType('buffering.changed'), { userId: 'b', buffering: true })
  b.send({ type: 'buffering.report', buffering: false })
  t.match(await a.ofType('buffering.changed'), { userId: 'b', buffering: false })
  const { ready } = await TestClient.join(base, roomId, { userId: 'c' })
  t.equal(ready.state.playing, true, 'still playing')
})
