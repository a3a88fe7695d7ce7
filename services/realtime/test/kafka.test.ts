// Every event reaches Kafka keyed by room id, in seq order; room-api's lifecycle events act on live rooms.
import { randomUUID } from 'node:crypto'
import { eventRecord } from '@watch-together/kafka'
import { CLOSE_CODES, EVENT_SCHEMA_VERSION, type EventEnvelope } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { startApp, testConfig, TestClient, ticket } from './helpers.js'
import { readTopic, waitForEvents } from './kafka-read.js'

const ADMIN_TOKEN = 'admin-token-0123456789abcdef'
const config = testConfig({ ADMIN_TOKEN })
const { app, base, http } = await startApp(t, config, { consumeLifecycle: true })
await app.kafka.connected
const read = await readTopic(config.KAFKA_TOPIC)
t.teardown(() => read.stop())

t.test('every event of a room is on the topic, keyed by the room, in seq order, once', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(base, roomId, { userId: 'b' })
  a.send({ type: 'player.replace_queue', version: 0, items: ['film'] })
  a.send({ type: 'player.play', version: 1 })
  a.send({ type: 'chat.send', clientMessageId: 'c1', text: 'hello' })
  const { message } = await b.ofType('chat.message_sent')
  b.send({ type: 'chat.react', messageId: message.messageId, emoji: '👍' })
  b.send({ type: 'buffering.report', buffering: true })
  b.send({ type: 'buffering.report', buffering: false })
  await a.next((f) => f.type === 'buffering.changed' && !f.buffering)
  const announced = await fetch(`${http}/admin/announcements`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ roomId, text: 'Intermission' })
  })
  t.equal(announced.status, 202)
  t.match(await b.ofType('announcement.sent'), { text: 'Intermission', scope: 'room' })
  const refused = await fetch(`${http}/admin/announcements`, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: '{}' })
  t.equal(refused.status, 401)
  await b.close()
  await a.close()

  const expected = ['session.connected', 'session.connected', 'player.command_applied', 'player.command_applied', 'chat.message_sent',
    'chat.reaction_added', 'buffering.started', 'buffering.ended', 'announcement.sent', 'session.disconnected', 'session.disconnected', 'room.emptied']
  await waitForEvents(read, 'the room\'s events', (events) => events.filter((e) => e.roomId === roomId).length >= expected.length, undefined, [app])
  const mine = read.events.filter((e) => e.roomId === roomId)
  t.same(mine.map((e) => e.type), expected)
  t.ok(mine.every((e) => e.key === roomId), 'key = room id')
  t.ok(mine.every((e) => e.source === 'realtime' && e.v === EVENT_SCHEMA_VERSION))
  t.equal(new Set(mine.map((e) => e.id)).size, mine.length, 'unique ids')
  const seqs = mine.map((e) => e.seq)
  t.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), 'seq increases')
  t.match(mine[3], { userId: 'a', payload: { command: 'play', version: 2, state: { playing: true, itemId: 'film', version: 2 } } })
  t.match(mine[4], { payload: { text: 'hello', clientMessageId: 'c1', positionMs: Number } })

  const stats = await (await fetch(`${http}/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()
  t.match(stats, { connectedUsers: Number, activeRooms: Number, viewersPerFilm: Object })
})

function lifecycleEvent (roomId: string, type: string, userId: string | null, payload: Record<string, unknown>): EventEnvelope {
  return { id: randomUUID(), type, roomId, userId, at: Date.now(), seq: 1, v: 1, source: 'room-api', payload }
}

t.test('room-api lifecycle events: control mode, removed member, closed room', async (t) => {
  const roomId = randomUUID()
  const { client: host } = await TestClient.join(base, roomId, { userId: 'host', role: 'host' })
  const { client: guest } = await TestClient.join(base, roomId, { userId: 'guest' })
  const { client: other } = await TestClient.join(base, roomId, { userId: 'other' })
  const publish = (e: EventEnvelope) => app.kafka.producer.send(config.KAFKA_TOPIC, [eventRecord(e)])

  await publish(lifecycleEvent(roomId, 'room.control_mode_changed', 'host', { controlMode: 'host_only' }))
  t.match(await guest.ofType('room.control_mode_changed', 'control mode change (consumer group joining)'), { controlMode: 'host_only' })
  guest.send({ type: 'player.play', version: 0 })
  t.equal((await guest.ofType('player.command_rejected')).code, 'RT_NOT_ALLOWED')

  // The host hands over to `other`: from then on `other` controls, the old host does not.
  await publish(lifecycleEvent(roomId, 'host.changed', 'host', { fromUserId: 'host', toUserId: 'other' }))
  await waitFor('the host change to apply', async () => {
    other.send({ type: 'player.play', version: 0 })
    const answer = await other.next((f) => f.type === 'player.state_changed' || f.type === 'player.command_rejected')
    return answer.type === 'player.state_changed'
  }, 30_000, 200)
  host.send({ type: 'player.pause', version: 1 })
  t.equal((await host.ofType('player.command_rejected')).code, 'RT_NOT_ALLOWED', 'the former host is refused')

  await publish(lifecycleEvent(roomId, 'member.left', 'guest', { name: 'Guest', reason: 'removed' }))
  t.match(await guest.closed, { code: CLOSE_CODES.memberRemoved })
  const again = new TestClient(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, { userId: 'guest' })}`)
  t.equal((await again.closed).code, CLOSE_CODES.memberRemoved, 'a removed member cannot come back with a ticket')

  await publish(lifecycleEvent(roomId, 'room.closed', 'host', { reason: 'host' }))
  t.match(await host.ofType('room.closed'), { reason: 'host' }, 'members are told')
  t.match(await host.closed, { code: CLOSE_CODES.roomClosed })
  t.match(await other.closed, { code: CLOSE_CODES.roomClosed })
  const late = new TestClient(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId)}`)
  t.equal((await late.closed).code, CLOSE_CODES.roomClosed, 'a closed room refuses new sockets')

  // Archived: every live key of the room goes, only its seq counter stays (numbers never repeat).
  await publish(lifecycleEvent(roomId, 'room.archived', null, { reason: 'closed' }))
  const left = await waitFor('the live state to be deleted', async () => {
    const keys = await app.redis.keys(`${config.REDIS_PREFIX}:room:{${roomId}}:*`)
    const live = keys.filter((k) => !k.endsWith(':seq') && !k.includes(':rate:'))
    if (live.length > 0) throw new Error(`still there: ${live.join(', ')}`)
    return keys
  }, 30_000, 200)
  t.same(left.filter((k) => !k.includes(':rate:')), [`${config.REDIS_PREFIX}:room:{${roomId}}:seq`], 'only the seq counter is left')
})
