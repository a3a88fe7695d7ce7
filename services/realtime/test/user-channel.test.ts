// The per-user channel (/users/ws): invitations and friend changes from room-api's user-scoped events
// reach every socket of that person on every instance; tickets of one kind never open the other.
import { randomUUID } from 'node:crypto'
import { eventRecord } from '@watch-together/kafka'
import { CLOSE_CODES, type EventEnvelope } from '@watch-together/protocol'
import t from 'tap'
import { signUserTicket } from '../src/ticket.js'
import { startApp, testConfig, TestClient, ticket, TICKET_SECRET } from './helpers.js'

const config = testConfig()
const one = await startApp(t, config, { consumeLifecycle: true })
const two = await startApp(t, { ...config, INSTANCE_ID: 'rt-two' })
await one.app.kafka.connected

const userEvent = (type: string, userId: string, payload: Record<string, unknown>, at = Date.now()): EventEnvelope =>
  ({ id: randomUUID(), type, roomId: null, userId, at, seq: 1, v: 1, source: 'room-api', payload })
const publish = (e: EventEnvelope) => one.app.kafka.producer.send(config.KAFKA_TOPIC, [eventRecord(e)])
const open = async (base: string, userId: string) => {
  const client = new TestClient(`${base}/users/ws?ticket=${await signUserTicket({ sub: userId, name: 'Petr' }, TICKET_SECRET)}`)
  t.match(await client.ofType('user.ready'), { you: { userId, name: 'Petr' } })
  return client
}

t.test('an invitation reaches every socket of the invitee, on every instance, and nobody else', async (t) => {
  const petr = `petr-${randomUUID().slice(0, 8)}`
  const [phone, laptop, other] = [await open(one.base, petr), await open(two.base, petr), await open(two.base, 'someone-else')]
  const roomId = randomUUID()
  // A stale one (a replay of the topic) is not pushed; the fresh one is.
  await publish(userEvent('room.invited', petr, { roomId: randomUUID(), inviteCode: 'Old0000000', roomName: null, filmId: 'sintel', filmTitle: 'Sintel', fromUserId: 'vasily', fromName: 'Vasily' }, Date.now() - 3_600_000))
  await publish(userEvent('room.invited', petr, { roomId, inviteCode: 'AbCdEf123456', roomName: 'movie-night', filmId: 'sintel', filmTitle: 'Sintel', fromUserId: 'vasily', fromName: 'Vasily' }))
  const expected = { type: 'invitation.received', roomId, inviteCode: 'AbCdEf123456', roomName: 'movie-night', film: { id: 'sintel', title: 'Sintel' }, from: { userId: 'vasily', name: 'Vasily' } }
  t.match(await phone.ofType('invitation.received', 'the invitation (consumer group joining)'), expected)
  t.match(await laptop.ofType('invitation.received'), expected, 'on the other instance too')
  await publish(userEvent('friend.request_accepted', petr, { otherUserId: 'vasily', actorId: petr }))
  t.match(await laptop.ofType('friends.changed'), { change: 'friend.request_accepted', otherUserId: 'vasily', actorId: petr })
  t.same(phone.pending().filter((f) => f.type === 'invitation.received'), [], 'the stale invitation never came')
  t.same(other.pending().filter((f) => f.type !== 'user.ready'), [], 'someone else got nothing')
  await Promise.all([phone.close(), laptop.close(), other.close()])
})

t.test('a room ticket does not open the user channel, nor a user ticket a room', async (t) => {
  const roomId = randomUUID()
  const withRoomTicket = new TestClient(`${one.base}/users/ws?ticket=${await ticket(roomId, { userId: 'u1' })}`)
  t.equal((await withRoomTicket.closed).code, CLOSE_CODES.ticketInvalid)
  const withUserTicket = new TestClient(`${one.base}/rooms/${roomId}/ws?ticket=${await signUserTicket({ sub: 'u1', name: 'U' }, TICKET_SECRET)}`)
  t.equal((await withUserTicket.closed).code, CLOSE_CODES.ticketInvalid)
  const none = new TestClient(`${one.base}/users/ws`)
  t.equal((await none.closed).code, CLOSE_CODES.ticketInvalid)
})
