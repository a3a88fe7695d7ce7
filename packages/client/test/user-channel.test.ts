// UserChannel against the real realtime service: room-api's user-scoped events (published here on the
// test's topic, as room-api's outbox would) arrive as typed events; an expired ticket is replaced by a
// fresh one from the provider; a server drop reconnects by itself.
import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { WebSocket } from 'ws'
import { signUserTicket } from '../../../services/realtime/src/ticket.js'
import { TICKET_SECRET } from '../../../services/realtime/test/helpers.js'
import { type FriendsChanged, type Invitation, UserChannel, type WebSocketConstructor } from '../src/index.js'
import { nextEvent, startApp, testConfig } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config, { consumeLifecycle: true })
await app.kafka.connected

let seq = 0
/** A user-scoped event as room-api's outbox publishes it (keyed `user:<id>`, no room). */
const publish = (type: string, userId: string, payload: Record<string, unknown>) => {
  const event: EventEnvelope = { id: randomUUID(), type, roomId: null, userId, at: Date.now(), seq: ++seq, v: 1, source: 'room-api', payload }
  const record = { key: `user:${userId}`, value: JSON.stringify(event), headers: { 'event-type': type, 'event-id': event.id, 'schema-version': '1' } }
  return app.kafka.producer.send(config.KAFKA_TOPIC, [record])
}

t.test('invitations and friend changes reach the person; an expired ticket is replaced', async (t) => {
  const petr = `petr-${randomUUID().slice(0, 8)}`
  let tickets = 0
  const channel = new UserChannel({
    url: base,
    // The first ticket has already expired: the channel asks for another and gets in.
    ticket: async () => (++tickets === 1
      ? await signUserTicket({ sub: petr, name: 'Petr' }, TICKET_SECRET, -10)
      : await signUserTicket({ sub: petr, name: 'Petr' }, TICKET_SECRET)),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 }
  })
  t.teardown(() => channel.close())
  const ready = await channel.connect()
  t.same(ready.you, { userId: petr, name: 'Petr' })
  t.equal(tickets, 2, 'the expired ticket (4002) was replaced by a fresh one')

  const roomId = randomUUID()
  const invited = nextEvent<[Invitation]>((fn) => channel.on('invitation', fn))
  await publish('room.invited', petr, { roomId, inviteCode: 'AbCdEf123456', roomName: null, filmId: 'sintel', filmTitle: 'Sintel', fromUserId: 'vasily', fromName: 'Vasily' })
  const [invitation] = await invited
  t.match(invitation, { roomId, inviteCode: 'AbCdEf123456', roomName: null, film: { id: 'sintel', title: 'Sintel' }, from: { userId: 'vasily', name: 'Vasily' } })

  const changed = nextEvent<[FriendsChanged]>((fn) => channel.on('friendsChanged', fn))
  await publish('friend.request_sent', petr, { otherUserId: 'vasily', actorId: 'vasily' })
  t.match((await changed)[0], { change: 'friend.request_sent', otherUserId: 'vasily', actorId: 'vasily' })

  // A dropped connection comes back with a new ticket, and the channel works again.
  channel.drop()
  await waitFor('reconnected', () => channel.status === 'open' && tickets === 3, 10_000)
  const again = nextEvent<[Invitation]>((fn) => channel.on('invitation', fn))
  await publish('room.invited', petr, { roomId, inviteCode: 'AbCdEf123456', roomName: 'movie-night', filmId: 'sintel', filmTitle: 'Sintel', fromUserId: 'vasily', fromName: 'Vasily' })
  t.equal((await again)[0].roomName, 'movie-night', 'after the reconnect')
})
