// Membership against the real realtime service: room-api's events (published here on the test's
// topic, as room-api's outbox would) reach the SDK as frames, and the host's chat.delete works.
import { randomUUID } from 'node:crypto'
import { CLOSE_CODES, type EventEnvelope } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { signTicket } from '../../../services/realtime/src/ticket.js'
import { TICKET_SECRET } from '../../../services/realtime/test/helpers.js'
import type { MembershipEnded, RoomClient } from '../src/index.js'
import { nextEvent, roomClient, startApp, testConfig } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config, { consumeLifecycle: true })
await app.kafka.connected

let seq = 100
/** A room-api event, as its outbox publishes it (seqs grow, as room-api's do). */
const publish = (roomId: string, type: string, userId: string | null, payload: Record<string, unknown>) => {
  const event: EventEnvelope = { id: randomUUID(), type, roomId, userId, at: Date.now(), seq: ++seq, v: 1, source: 'room-api', payload }
  // Keyed by the room, as every room event is (the kafka package's eventRecord; not a dependency here).
  const record = { key: roomId, value: JSON.stringify(event), headers: { 'event-type': type, 'event-id': event.id, 'schema-version': '1' } }
  return app.kafka.producer.send(config.KAFKA_TOPIC, [record]).then(() => event.seq)
}
/** A ticket as room-api signs it, with the membership epoch. */
const ticketOf = (roomId: string, userId: string, epoch: number, role: 'host' | 'guest' = 'guest') =>
  signTicket({ sub: userId, name: userId.toUpperCase(), room: roomId, role, controlMode: 'everyone', epoch }, TICKET_SECRET)

t.test('host hand-over, mute, message deletion and a ban, as each member sees them', async (t) => {
  const roomId = randomUUID()
  const join = (userId: string, role: 'host' | 'guest' = 'guest') => roomClient(t, base, roomId, { userId }, { ticket: () => ticketOf(roomId, userId, 1, role) })
  const host = join('host', 'host')
  const guest = join('guest')
  const other = join('other')
  for (const c of [host, guest, other]) await c.connect()
  t.equal(host.isHost(), true)
  t.equal(guest.hostId, 'host', 'everyone knows the host from session.ready')

  // The consumer group may take a while to join: the first event is waited for longer.
  const mode = nextEvent<[string]>((fn) => guest.on('controlMode', fn))
  await publish(roomId, 'room.control_mode_changed', 'host', { controlMode: 'host_only' })
  await mode

  // Chat, then the host deletes it for everyone; a guest may not.
  guest.sendChat('a spoiler')
  const sent = await waitFor('the message everywhere', () => [host, guest, other].every((c) => c.chat.length === 1) && host.chat[0])
  await t.rejects(guest.deleteMessage(sent.messageId), { code: 'RT_NOT_HOST' })
  const seenByOther = nextEvent((fn) => other.on('messageDeleted', fn))
  await host.deleteMessage(sent.messageId)
  t.match(await seenByOther, [{ messageId: sent.messageId, actor: { userId: 'host' } }])
  // Each socket gets the deletion on its own; wait for all three before looking.
  await waitFor('the deletion everywhere', () => [host, guest, other].every((c) => c.chat[0]?.deleted === true))
  for (const c of [host, guest, other]) t.match(c.chat[0], { messageId: sent.messageId, text: '', deleted: true })

  // Muted: chat is refused with RT_MUTED; the mute shows in everyone's member list.
  const muted = nextEvent((fn) => guest.on('muteChanged', fn))
  await publish(roomId, 'member.mute_changed', 'guest', { actorId: 'host', muted: true })
  t.match(await muted, [{ userId: 'guest', muted: true, actor: { userId: 'host', name: 'HOST' } }])
  t.equal(guest.isMuted(), true)
  await waitFor('the host sees the mute', () => host.members.get('guest')?.muted === true)
  const refused = nextEvent((fn) => guest.on('error', fn))
  guest.sendChat('can I still talk?')
  t.match(await refused, [{ code: 'RT_MUTED' }])

  // The host has been away: the role moves, and everyone is told.
  const changed = nextEvent((fn) => other.on('hostChanged', fn))
  await publish(roomId, 'host.changed', null, { fromUserId: 'host', toUserId: 'other', reason: 'absent' })
  t.match(await changed, [{ fromUserId: 'host', toUserId: 'other', reason: 'absent' }])
  t.equal(other.isHost(), true)
  await waitFor('the old host knows', () => host.hostId === 'other' && !host.isHost())
  t.equal(other.members.get('other')?.role, 'host')

  // The new host removes and bans the guest: the guest's client ends (final), the others see them go.
  const ended = nextEvent<[MembershipEnded]>((fn) => guest.on('membershipEnded', fn))
  const left = nextEvent((fn) => host.on('memberLeft', fn))
  await publish(roomId, 'member.left', 'guest', { name: 'GUEST', reason: 'banned', actorId: 'other' })
  const [end] = await ended
  t.equal(end.reason, 'banned')
  t.match(await left, [{ userId: 'guest', reason: 'banned', actor: { userId: 'other' } }])
  t.equal(guest.status, 'closed')
  t.notOk(host.members.has('guest'), 'gone from the list')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(guest.status, 'closed', 'and it does not come back')
})

t.test('a removed member\'s fresh connection is refused with its reason', async (t) => {
  const roomId = randomUUID()
  const host = roomClient(t, base, roomId, { userId: 'host' }, { ticket: () => ticketOf(roomId, 'host', 1, 'host') })
  await host.connect()
  const left = nextEvent((fn) => host.on('memberLeft', fn))
  await publish(roomId, 'member.left', 'gone', { name: 'GONE', reason: 'removed', actorId: 'host' })
  await left
  const gone = roomClient(t, base, roomId, { userId: 'gone' }, { ticket: () => ticketOf(roomId, 'gone', 1) })
  const ended = nextEvent<[MembershipEnded]>((fn) => gone.on('membershipEnded', fn))
  await t.rejects(gone.connect(), { code: 'WT_CLOSED' })
  t.same((await ended)[0], { reason: 'removed', code: CLOSE_CODES.memberRemoved, actor: null })
})

t.test('a ticket of an earlier membership (4014): one fresh ticket and the client is in', async (t) => {
  const roomId = randomUUID()
  const host = roomClient(t, base, roomId, { userId: 'host' }, { ticket: () => ticketOf(roomId, 'host', 1, 'host') })
  await host.connect()
  // Back in the room after leaving: the membership that began at `epoch` supersedes older tickets.
  await publish(roomId, 'member.left', 'back', { name: 'BACK', reason: 'left' })
  const epoch = await publish(roomId, 'member.joined', 'back', { name: 'BACK', role: 'guest' })
  const probe = () => ticketOf(roomId, 'back', epoch - 5)
  // Until realtime has consumed both events the old ticket gets in, or is refused as left (4012).
  await waitFor('realtime saw the join', async () => {
    const c: RoomClient = roomClient(t, base, roomId, { userId: 'back' }, { ticket: probe })
    const settled = nextEvent<[string, { code?: number }]>((fn) => c.on('connection', fn), (status) => status === 'open' || status === 'closed')
    c.connect().catch(() => {})
    const [, info] = await settled
    c.close()
    return info.code === CLOSE_CODES.ticketSuperseded
  }, 30_000, 200)
  const tickets: number[] = []
  const back = roomClient(t, base, roomId, { userId: 'back' }, {
    // The first ticket was fetched before the rejoin (an old tab); the provider's next one is current.
    ticket: () => { const e = tickets.length === 0 ? epoch - 5 : epoch; tickets.push(e); return ticketOf(roomId, 'back', e) }
  })
  await back.connect()
  t.same(tickets, [epoch - 5, epoch], 'one fresh ticket')
  t.equal(back.status, 'open')
  await waitFor('the host sees them', () => host.members.get('back')?.online)
})
