// Membership that holds, against real Redis and Kafka with two realtime instances: room-api's events
// end a membership everywhere at once, tickets never outlive it (also across a restart), every act of
// a departed or muted member is refused, the host deletes messages, and roles are pushed, never polled.
import { randomUUID } from 'node:crypto'
import { eventRecord } from '@watch-together/kafka'
import { CLOSE_CODES, type EventEnvelope } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { roomKeys } from '../src/rooms/keys.js'
import { startApp, testConfig, TestClient, ticket, type Who } from './helpers.js'
import { readTopic, waitForEvents } from './kafka-read.js'

const config = testConfig()
// One consumes room-api's events; kicks reach the other over Redis.
const one = await startApp(t, config, { consumeLifecycle: true })
const two = await startApp(t, { ...config, INSTANCE_ID: 'rt-two' })
await one.app.kafka.connected
const read = await readTopic(config.KAFKA_TOPIC)
t.teardown(() => read.stop())

/** room-api's events, numbered like its outbox does (one counter per room). */
function roomApi (roomId: string) {
  let seq = 0
  const publish = async (type: string, userId: string | null, payload: Record<string, unknown>) => {
    const event: EventEnvelope = { id: randomUUID(), type, roomId, userId, at: Date.now(), seq: ++seq, v: 1, source: 'room-api', payload }
    await one.app.kafka.producer.send(config.KAFKA_TOPIC, [eventRecord(event)])
    return event.seq
  }
  return { publish, next: () => seq + 1 }
}

const connect = async (base: string, roomId: string, who: Who) => new TestClient(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, who)}`)

t.test('leave closes every socket of the member on every instance at once, and ends their tickets', async (t) => {
  const roomId = randomUUID()
  const api = roomApi(roomId)
  await api.publish('room.created', 'host', { filmId: 'film', ownerId: 'host', ownerName: 'Host', controlMode: 'everyone' })
  const hostEpoch = await api.publish('member.joined', 'host', { name: 'Host', role: 'host' })
  const guestEpoch = await api.publish('member.joined', 'guest', { name: 'Guest', role: 'guest' })
  const guest = { userId: 'guest', name: 'Guest', epoch: guestEpoch }
  const { client: host } = await TestClient.join(one.base, roomId, { userId: 'host', name: 'Host', role: 'host', epoch: hostEpoch })
  const { client: onOne } = await TestClient.join(one.base, roomId, guest)
  const { client: onTwo } = await TestClient.join(two.base, roomId, guest)
  await host.next((f) => f.type === 'presence.joined' && f.member.userId === 'guest')
  const keys = roomKeys(config.REDIS_PREFIX, roomId)
  await waitFor('the joins to be consumed', async () => (await one.app.redis.hGet(keys.membership, 'guest')) === `${guestEpoch}:joined`, 30_000)

  const leftAt = Date.now()
  await api.publish('member.left', 'guest', { name: 'Guest', reason: 'left' })
  const [closedOne, closedTwo] = await Promise.all([onOne.closed, onTwo.closed])
  const tookMs = Date.now() - leftAt
  t.match(closedOne, { code: CLOSE_CODES.memberLeft }, 'closed with 4012 on the consuming instance')
  t.match(closedTwo, { code: CLOSE_CODES.memberLeft }, 'closed with 4012 on the other instance')
  t.comment(`both sockets closed ${tookMs} ms after room-api published member.left (Kafka → consumer → Redis → kick)`)
  t.match(await host.ofType('member.left'), { userId: 'guest', name: 'Guest', reason: 'left', actor: null }, 'the others are told at once')
  const snapshot = (await TestClient.join(two.base, roomId, { userId: 'late', epoch: 99 })).ready
  t.notOk(snapshot.members.some((m: { userId: string }) => m.userId === 'guest'), 'the departed member is off every member list')

  const stale = await connect(two.base, roomId, guest)
  t.equal((await stale.closed).code, CLOSE_CODES.memberLeft, 'a ticket issued before the leave is refused at connect')
  const legacy = await connect(one.base, roomId, { userId: 'guest' })
  t.equal((await legacy.closed).code, CLOSE_CODES.memberLeft, 'so is a ticket without an epoch')

  // Rejoining through the invite needs a new ticket: its epoch is newer than the leave.
  const rejoinEpoch = api.next()
  const { client: back } = await TestClient.join(one.base, roomId, { ...guest, epoch: rejoinEpoch })
  back.send({ type: 'chat.send', clientMessageId: 'back', text: 'I am back' })
  t.match(await back.ofType('chat.message_sent'), { message: { text: 'I am back' } }, 'a new ticket works before room-api\'s join event is consumed')
  await api.publish('member.joined', 'guest', { name: 'Guest', role: 'guest' })
  await waitFor('the rejoin to be consumed', async () => (await one.app.redis.hGet(keys.membership, 'guest')) === `${rejoinEpoch}:joined`, 30_000)
  const superseded = await connect(one.base, roomId, guest)
  t.equal((await superseded.closed).code, CLOSE_CODES.ticketSuperseded, 'the first membership\'s ticket stays dead after the rejoin')

  // Removal: same path, its own code, its actor named.
  await api.publish('member.left', 'guest', { name: 'Guest', reason: 'banned', actorId: 'host' })
  t.equal((await back.closed).code, CLOSE_CODES.memberBanned)
  t.match(await host.next((f) => f.type === 'member.left' && f.reason === 'banned'), { actor: { userId: 'host', name: 'Host' } })
  await host.close()
})

t.test('an act landing after the revocation is refused in the same step as its write', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(one.base, roomId, { userId: 'a', epoch: 3 })
  const { client: b } = await TestClient.join(two.base, roomId, { userId: 'b', epoch: 4 })
  // The consumer wrote the leave but its kick has not arrived (written here directly, no kick at all).
  await one.app.redis.hSet(roomKeys(config.REDIS_PREFIX, roomId).membership, 'a', '5:removed')
  a.send({ type: 'chat.send', clientMessageId: 'late', text: 'sneaky' })
  t.match(await a.ofType('error'), { code: 'RT_NOT_MEMBER' })
  t.equal((await a.closed).code, CLOSE_CODES.memberRemoved, 'and the socket closes with the reason')
  b.send({ type: 'chat.send', clientMessageId: 'ok', text: 'still here' })
  const seen = await b.ofType('chat.message_sent')
  t.equal(seen.message.text, 'still here', 'nothing of a\'s reached the room')
  await b.close()
})

t.test('the revocation survives a realtime restart', async (t) => {
  const roomId = randomUUID()
  const api = roomApi(roomId)
  const epoch = await api.publish('member.joined', 'g', { name: 'G', role: 'guest' })
  await api.publish('member.left', 'g', { name: 'G', reason: 'removed', actorId: 'h' })
  await waitFor('the leave to be consumed', async () => (await one.app.redis.hGet(roomKeys(config.REDIS_PREFIX, roomId).membership, 'g')) !== null, 30_000)
  const restarted = await startApp(t, { ...config, INSTANCE_ID: 'rt-restarted' })
  const stale = await connect(restarted.base, roomId, { userId: 'g', epoch })
  t.equal((await stale.closed).code, CLOSE_CODES.memberRemoved, 'a fresh instance refuses the old ticket too')
})

t.test('mute, delete and host changes are pushed and enforced', async (t) => {
  const roomId = randomUUID()
  const api = roomApi(roomId)
  await api.publish('room.created', 'h', { filmId: 'film', ownerId: 'h', ownerName: 'Hana', controlMode: 'host_only' })
  // These tickets carry no film claim (room-api's do): the film comes from room.created alone.
  await waitFor('room.created to be consumed', async () => (await one.app.redis.hGet(roomKeys(config.REDIS_PREFIX, roomId).state, 'json')) !== null, 30_000)
  const { client: host } = await TestClient.join(one.base, roomId, { userId: 'h', name: 'Hana', role: 'host', controlMode: 'host_only' })
  const { client: guest, ready } = await TestClient.join(two.base, roomId, { userId: 'g', name: 'Gleb', controlMode: 'host_only' })
  t.match(ready.state, { version: 1, queue: ['film'], itemId: 'film', playing: false }, 'a plain client finds the room\'s film queued by the server')

  guest.send({ type: 'chat.send', clientMessageId: 'm1', text: 'spoiler: the dragon dies' })
  const { message } = await host.ofType('chat.message_sent')
  guest.send({ type: 'chat.delete', messageId: message.messageId })
  t.match(await guest.ofType('error'), { code: 'RT_NOT_HOST' }, 'only the host deletes')
  host.send({ type: 'chat.delete', ref: 'd1', messageId: 'no-such-message' })
  t.match(await host.ofType('error'), { code: 'RT_MESSAGE_NOT_FOUND' })
  host.send({ type: 'chat.delete', ref: 'd2', messageId: message.messageId })
  t.match(await guest.ofType('chat.message_deleted'), { messageId: message.messageId, actor: { userId: 'h', name: 'Hana' } })
  host.send({ type: 'chat.delete', ref: 'd3', messageId: message.messageId })
  t.match(await host.ofType('error'), { ref: 'd3', code: 'RT_MESSAGE_NOT_FOUND' }, 'deleting it again is answered, and changes nothing')
  guest.send({ type: 'chat.react', ref: 'r1', messageId: message.messageId, emoji: '👍' })
  t.match(await guest.ofType('error'), { ref: 'r1', code: 'RT_MESSAGE_NOT_FOUND' }, 'a deleted message takes no reactions')
  const { ready: later } = await TestClient.join(one.base, roomId, { userId: 'late' })
  t.match(later.chat, [{ messageId: message.messageId, deleted: true, text: '' }], 'history keeps the deletion, not the text')
  const { client: resumed } = await TestClient.join(one.base, roomId, { userId: 'late2' }, `&since=${ready.seq}`)
  await resumed.ofType('chat.message_deleted')
  t.notOk(resumed.pending().concat().some((f) => JSON.stringify(f).includes('dragon dies')), 'a resume does not replay the text')

  await api.publish('member.mute_changed', 'g', { actorId: 'h', muted: true })
  t.match(await guest.ofType('member.mute_changed'), { userId: 'g', muted: true, actor: { userId: 'h' } })
  guest.send({ type: 'chat.send', clientMessageId: 'm2', text: 'let me talk' })
  t.match(await guest.ofType('error'), { code: 'RT_MUTED' })
  guest.send({ type: 'chat.set_typing', typing: true })
  t.match(await guest.ofType('error'), { code: 'RT_MUTED' }, 'typing too')
  await api.publish('member.mute_changed', 'g', { actorId: 'h', muted: false })
  await guest.next((f) => f.type === 'member.mute_changed' && f.muted === false)
  guest.send({ type: 'chat.send', clientMessageId: 'm3', text: 'thanks' })
  t.match(await host.next((f) => f.type === 'chat.message_sent' && f.message.text === 'thanks'), {}, 'unmuted, they chat again')

  // The host role moves: pushed to everyone, enforced at once, and a new socket is told its current role.
  guest.send({ type: 'player.play', version: 1 })
  t.match(await guest.ofType('player.command_rejected'), { code: 'RT_NOT_ALLOWED' })
  await api.publish('host.changed', null, { fromUserId: 'h', toUserId: 'g', reason: 'absent' })
  t.match(await host.ofType('host.changed'), { fromUserId: 'h', toUserId: 'g', reason: 'absent' })
  t.match(await guest.ofType('host.changed'), { toUserId: 'g' })
  guest.send({ type: 'player.play', version: 1 })
  t.match(await guest.ofType('player.state_changed'), { actor: { userId: 'g' }, state: { playing: true } }, 'the new host controls the locked room')
  const { ready: again } = await TestClient.join(one.base, roomId, { userId: 'h', name: 'Hana', role: 'host' })
  t.match(again, { you: { role: 'guest' }, hostId: 'g' }, 'the returning former host is a guest, whatever their ticket says')
  t.match(again.members.find((m: { userId: string }) => m.userId === 'g'), { role: 'host' })

  const types = ['chat.message_deleted']
  await waitForEvents(read, 'the deletion on Kafka', (events) => events.some((e) => e.roomId === roomId && types.includes(e.type)), undefined, [one.app, two.app])
  t.match(read.events.find((e) => e.roomId === roomId && e.type === 'chat.message_deleted'),
    { userId: 'h', payload: { messageId: message.messageId, authorId: 'g' } }, 'the deletion is an event with its actor')
  await guest.close()
  await host.close()
})

t.test('a leave that arrives late, or again, spares the member\'s newer membership', async (t) => {
  const roomId = randomUUID()
  const api = roomApi(roomId)
  const first = await api.publish('member.joined', 'g', { name: 'G', role: 'guest' })
  const { client: old } = await TestClient.join(one.base, roomId, { userId: 'g', name: 'G', epoch: first })
  // room-api: g left (seq 2) and joined again (seq 3); g's new ticket connects before realtime consumed either.
  const leftAt = api.next()
  const rejoinedAt = leftAt + 1
  const { client: fresh } = await TestClient.join(two.base, roomId, { userId: 'g', name: 'G', epoch: rejoinedAt })
  await api.publish('member.left', 'g', { name: 'G', reason: 'left' })
  t.equal((await old.closed).code, CLOSE_CODES.memberLeft, 'the old membership\'s socket closes')
  await api.publish('member.joined', 'g', { name: 'G', role: 'guest' })
  await waitFor('the rejoin to be consumed', async () => (await one.app.redis.hGet(roomKeys(config.REDIS_PREFIX, roomId).membership, 'g')) === `${rejoinedAt}:joined`, 30_000)
  // The same leave again (a redelivery or a replay): nothing happens to the new socket.
  const again: EventEnvelope = { id: randomUUID(), type: 'member.left', roomId, userId: 'g', at: Date.now(), seq: leftAt, v: 1, source: 'room-api', payload: { name: 'G', reason: 'left' } }
  await one.app.kafka.producer.send(config.KAFKA_TOPIC, [eventRecord(again)])
  fresh.send({ type: 'chat.send', clientMessageId: 'still', text: 'still here' })
  t.match(await fresh.ofType('chat.message_sent'), { message: { text: 'still here' } }, 'the newer membership acts')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(fresh.socket.readyState, 1, 'and its socket stays open')
  await fresh.close()
})
