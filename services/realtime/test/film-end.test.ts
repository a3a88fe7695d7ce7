// The end of the room's film: a member's report checked against the server's clock, counted once
// across instances, published as player.ended; refusals change nothing; the server's own fallback.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { type Frame, startApp, testConfig, TestClient } from './helpers.js'
import { readTopic, waitForEvents } from './kafka-read.js'

// The fallback is far away here, so only reports end films in these tests (its own test below).
const config = testConfig({ END_TOLERANCE_MS: '3000', END_FALLBACK_MS: '600000' })
const one = await startApp(t, config)
const two = await startApp(t, { ...config, INSTANCE_ID: 'second' })
await one.app.kafka.connected
const read = await readTopic(config.KAFKA_TOPIC)
t.teardown(() => read.stop())

const film = { id: 'film-a', durationMs: 60_000 }

/** Sends a player command and returns the state it produced (as the sender sees it). */
async function command (client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const ref = randomUUID().slice(0, 8)
  client.send({ ...frame, ref })
  const reply = await client.next((f) => f.ref === ref, `the answer to ${String(frame.type)}`)
  if (reply.type !== 'player.state_changed') throw new Error(`${String(frame.type)} refused: ${JSON.stringify(reply)}`)
  return reply.state
}

async function report (client: TestClient, itemId: string, version: number) {
  const ref = randomUUID().slice(0, 8)
  client.send({ type: 'player.report_ended', ref, itemId, version })
  return await client.next((f) => f.ref === ref, 'the answer to player.report_ended')
}

/** Waits until the room's events up to room.emptied are on the topic (so nothing of it is still coming). */
async function roomEvents (roomId: string) {
  await waitForEvents(read, 'the room\'s events', (events) => events.some((e) => e.roomId === roomId && e.type === 'room.emptied'), undefined, [one.app, two.app])
  return read.events.filter((e) => e.roomId === roomId)
}

t.test('two members on two instances report the end: it is counted once', async (t) => {
  const roomId = randomUUID()
  const { client: a, ready: first } = await TestClient.join(one.base, roomId, { userId: 'a', film })
  const { client: b } = await TestClient.join(two.base, roomId, { userId: 'b', film })
  t.match(first.state, { version: 1, queue: ['film-a'], itemId: 'film-a', playing: false, positionMs: 0 }, 'the server queued the room film: version 1, paused at 0')
  await command(a, { type: 'player.replace_queue', version: 1, items: ['film-a', 'film-b'] })
  await command(a, { type: 'player.seek', version: 2, positionMs: 59_000 })
  const playing = await command(a, { type: 'player.play', version: 3 })
  t.equal(playing.version, 4)

  const [fromA, fromB] = await Promise.all([report(a, 'film-a', 4), report(b, 'film-a', 4)])
  const replies = [fromA, fromB]
  const accepted = replies.filter((f) => f.type === 'player.state_changed')
  const duplicates = replies.filter((f) => f.type === 'error')
  t.equal(accepted.length, 1, 'one report ended the film')
  t.match(accepted[0], { command: 'pause', actor: null, ended: true, state: { playing: false, positionMs: 60_000, itemId: 'film-a', version: 5 } })
  t.match(duplicates, [{ code: 'RT_ALREADY_ENDED' }], 'the other is answered as a duplicate')
  // The reporter whose report counted got it as its answer; the other one as a room event.
  const other = fromA.type === 'error' ? a : b
  t.match(await other.next((f) => f.type === 'player.state_changed' && f.ended === true), { state: { playing: false, version: 5 } },
    'everyone got the paused-at-the-end state')
  t.match(await report(a, 'film-a', 4), { type: 'error', code: 'RT_ALREADY_ENDED' }, 'reporting it again changes nothing')
  t.match(await report(b, 'film-a', 5), { type: 'error', code: 'RT_NOT_ENDED' }, 'the room is paused at the end now')

  // A late joiner gets the paused state, not a film starting again.
  const { client: c, ready } = await TestClient.join(one.base, roomId, { userId: 'c', film })
  t.match(ready.state, { playing: false, positionMs: 60_000, version: 5 })

  await c.close()
  await a.close()
  await b.close()
  const events = await roomEvents(roomId)
  const ended = events.filter((e) => e.type === 'player.ended')
  t.equal(ended.length, 1, 'one player.ended on Kafka')
  t.match(ended[0], { key: roomId, source: 'realtime', payload: { itemId: 'film-a', version: 5 } })
  t.ok(['a', 'b'].includes(String(ended[0]?.userId)), 'by the member whose report counted')
})

t.test('premature, stale, wrong-item and untracked reports are refused and change nothing', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(one.base, roomId, { userId: 'a', film })
  t.teardown(() => a.close())
  await command(a, { type: 'player.replace_queue', version: 1, items: ['film-a', 'film-b'] })
  await command(a, { type: 'player.seek', version: 2, positionMs: 40_000 })
  await command(a, { type: 'player.play', version: 3 })

  t.match(await report(a, 'film-a', 4), { code: 'RT_NOT_ENDED', message: /of 60000 ms/ }, 'premature: 20 s before the end')
  t.match(await report(a, 'film-a', 3), { code: 'RT_STALE_VERSION' }, 'based on an older state')
  t.match(await report(a, 'film-b', 4), { code: 'RT_WRONG_ITEM' }, 'another item than the current one')
  // A seek past the end is clamped to the film's length.
  t.match(await command(a, { type: 'player.seek', version: 4, positionMs: 90_000 }), { positionMs: 60_000, version: 5 })
  await command(a, { type: 'player.pause', version: 5 })
  t.match(await report(a, 'film-a', 6), { code: 'RT_NOT_ENDED', message: /paused/ }, 'paused at the end is not the end')
  // Other queue items: their length is unknown, so their end is not the room's.
  await command(a, { type: 'player.next', version: 6 })
  await command(a, { type: 'player.seek', version: 7, positionMs: 600_000 })
  await command(a, { type: 'player.play', version: 8 })
  t.match(await report(a, 'film-b', 9), { code: 'RT_END_UNTRACKED' })
  t.match(await report(a, 'film-a', 9), { code: 'RT_WRONG_ITEM' })
  t.match(await command(a, { type: 'player.pause', version: 9 }), { version: 10 }, 'the state moved only with commands')
  await a.close()
  const events = await roomEvents(roomId)
  t.equal(events.filter((e) => e.type === 'player.ended').length, 0, 'no player.ended')
})

t.test('a ticket without the film claim cannot end the film (its length is unknown)', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(one.base, roomId, { userId: 'a' })
  t.teardown(() => a.close())
  await command(a, { type: 'player.replace_queue', version: 0, items: ['film-a'] })
  await command(a, { type: 'player.seek', version: 1, positionMs: 59_500 })
  await command(a, { type: 'player.play', version: 2 })
  t.match(await report(a, 'film-a', 3), { code: 'RT_END_UNTRACKED' })
  // A member with a newer ticket tells the room its film: now the same report counts.
  const { client: b } = await TestClient.join(two.base, roomId, { userId: 'b', film })
  t.teardown(() => b.close())
  t.match(await report(a, 'film-a', 3), { type: 'player.state_changed', ended: true })
})

t.test('nobody reports: the server ends the film itself after END_FALLBACK_MS', async (t) => {
  const fallbackConfig = testConfig({ END_FALLBACK_MS: '200' })
  const { app, base } = await startApp(t, fallbackConfig)
  await app.kafka.connected
  const fallbackRead = await readTopic(fallbackConfig.KAFKA_TOPIC)
  t.teardown(() => fallbackRead.stop())
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a', film: { id: 'short', durationMs: 1500 } })
  t.teardown(() => a.close())
  await command(a, { type: 'player.replace_queue', version: 1, items: ['short'] })
  await command(a, { type: 'player.play', version: 2 })
  const ended = await a.next((f) => f.type === 'player.state_changed' && f.ended === true, 'the server ending the film')
  t.match(ended, { command: 'pause', actor: null, state: { playing: false, positionMs: 1500, version: 4 } })
  await waitForEvents(fallbackRead, 'player.ended', (events) => events.some((e) => e.roomId === roomId && e.type === 'player.ended'), undefined, [app])
  t.match(fallbackRead.events.find((e) => e.roomId === roomId && e.type === 'player.ended'), { userId: null, payload: { itemId: 'short', version: 4 } })
})
