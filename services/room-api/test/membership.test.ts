// Membership rules in room-api against the real PostgreSQL and Kafka: removal and bans, mute, the
// membership epoch every ticket carries, and the host hand-over after HOST_GRACE_MS offline.
import { randomUUID } from 'node:crypto'
import { EVENT_SCHEMA_VERSION, type EventEnvelope } from '@watch-together/protocol'
import { uniqueName, waitFor } from '@watch-together/test-kit'
import { decodeJwt } from 'jose'
import t from 'tap'
import { buildTestApp, type TestUser } from './helpers/app.js'
import { collectTopic, produce } from './helpers/topic.js'

const codes = (res: { json (): { errors: Array<{ code: string }> } }) => res.json().errors.map((e) => e.code)
const epochOf = async (u: TestUser, roomId: string): Promise<number | string> => {
  const res = await u.call('POST', `/api/v1/rooms/${roomId}/ticket`)
  if (res.statusCode !== 200) return res.body
  return decodeJwt(res.json().ticket).epoch as number
}

t.test('the host removes, bans and mutes; tickets carry the membership epoch', async (t) => {
  const { user, topic } = await buildTestApp(t)
  const [host, guest, other] = [await user('Host'), await user('Guest'), await user('Other')]
  const room = (await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  const url = (suffix: string) => `/api/v1/rooms/${room.id}${suffix}`
  for (const u of [guest, other]) t.equal((await u.call('POST', `/api/v1/invites/${room.inviteCode}/join`)).statusCode, 200)

  t.equal(await epochOf(host, room.id), 2, "the host's membership began with the room's second event")
  const guestEpoch = await epochOf(guest, room.id)
  t.equal(guestEpoch, 3, "the guest's epoch is the seq of their member.joined")

  t.same(codes(await guest.call('POST', url(`/members/${other.id}/remove`), {})), ['ROOM_NOT_HOST'], 'only the host removes')
  t.same(codes(await guest.call('PUT', url(`/members/${other.id}/mute`), { muted: true })), ['ROOM_NOT_HOST'], 'only the host mutes')
  t.same(codes(await host.call('POST', url(`/members/${host.id}/remove`), {})), ['ROOM_MODERATE_SELF'])
  t.same(codes(await host.call('POST', url('/members/nobody/remove'), {})), ['ROOM_MEMBER_NOT_FOUND'])

  const muted = await host.call('PUT', url(`/members/${other.id}/mute`), { muted: true })
  t.equal(muted.statusCode, 200, 'muted')
  t.equal(muted.json().room.members.find((m: { userId: string }) => m.userId === other.id).muted, true)
  await host.call('PUT', url(`/members/${other.id}/mute`), { muted: true }) // no change, no event

  // Removed (not banned): the membership ends, the ticket is refused, the invite admits them again.
  const removed = await host.call('POST', url(`/members/${guest.id}/remove`), {})
  t.equal(removed.statusCode, 200, 'removed')
  t.not(removed.json().room.members.find((m: { userId: string }) => m.userId === guest.id).leftAt, null)
  t.same(codes(await guest.call('POST', url('/ticket'))), ['ROOM_NOT_MEMBER'], 'no ticket after removal')
  t.equal((await guest.call('POST', `/api/v1/invites/${room.inviteCode}/join`)).statusCode, 200, 'a removed member may come back')
  const rejoined = await epochOf(guest, room.id)
  t.ok(typeof rejoined === 'number' && typeof guestEpoch === 'number' && rejoined > guestEpoch, `a new membership, a newer epoch (${String(rejoined)})`)

  // Banned: the invite no longer admits them, by code or by id.
  t.equal((await host.call('POST', url(`/members/${guest.id}/remove`), { ban: true })).statusCode, 200)
  const again = await guest.call('POST', `/api/v1/invites/${room.inviteCode}/join`)
  t.equal(again.statusCode, 403)
  t.same(codes(again), ['ROOM_BANNED'])
  t.same(codes(await guest.call('POST', url('/join'))), ['ROOM_BANNED'])
  t.same(codes(await guest.call('POST', url('/ticket'))), ['ROOM_NOT_MEMBER'])

  const events = await (await collectTopic(t, topic)).waitForCount(8)
  const mine = events.filter((e) => e.roomId === room.id).map((e) => [e.type, e.userId, e.seq, e.payload])
  t.match(mine.slice(4), [
    ['member.mute_changed', other.id, 5, { actorId: host.id, muted: true }],
    ['member.left', guest.id, 6, { reason: 'removed', actorId: host.id, name: 'Guest' }],
    ['member.joined', guest.id, rejoined, { role: 'guest' }],
    ['member.left', guest.id, 8, { reason: 'banned', actorId: host.id }]
  ], 'each act is an event with its actor; the rejoin seq is the new epoch')
})

t.test('a host offline for HOST_GRACE_MS hands over to the longest-present online member', async (t) => {
  const { app, user, topic } = await buildTestApp(t, { KAFKA_CONSUME: 'true', KAFKA_DLQ_TOPIC: uniqueName('dlq'), HOST_GRACE_MS: '400', HOST_SWEEP_MS: '100' })
  const [host, first, second] = [await user('Host'), await user('First'), await user('Second')]
  const room = (await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  for (const u of [first, second]) await u.call('POST', `/api/v1/invites/${room.inviteCode}/join`)
  const session = (type: string, u: TestUser, userConnections: number): EventEnvelope => ({
    id: randomUUID(),
    type,
    roomId: room.id,
    userId: u.id,
    at: Date.now(),
    seq: 1,
    v: EVENT_SCHEMA_VERSION,
    source: 'test',
    payload: { connectionId: randomUUID(), instance: 'rt-1', name: u.name, userConnections }
  })
  const hostOf = async () => (await app.pg.query("SELECT user_id FROM room_members WHERE room_id = $1 AND role = 'host'", [room.id])).rows[0]?.user_id

  // The host is online with two tabs; closing one keeps them online, so nothing moves.
  await produce(t, topic, [session('session.connected', host, 1), session('session.connected', host, 2),
    session('session.connected', second, 1), session('session.connected', first, 1), session('session.disconnected', host, 1)])
  await waitFor('presence recorded', async () => (await app.pg.query('SELECT count(*)::int AS n FROM room_members WHERE room_id = $1 AND online', [room.id])).rows[0].n === 3)
  await new Promise((resolve) => setTimeout(resolve, 800))
  t.equal(await hostOf(), host.id, 'a host with a tab still open keeps the role')

  // The last tab goes: after the grace the role passes to the longest-present online member (First joined first).
  await produce(t, topic, [session('session.disconnected', host, 0)])
  const moved = await waitFor('the hand-over', async () => { const id = await hostOf(); return id !== host.id && id }, 30_000)
  t.equal(moved, first.id, 'First, present longest and online, is the host')
  const events = await collectTopic(t, topic)
  const change = await waitFor('host.changed on Kafka', () => events.events.find((e) => e.type === 'host.changed' && e.roomId === room.id), 30_000)
  t.match(change, { userId: null, payload: { fromUserId: host.id, toUserId: first.id, reason: 'absent' } })

  // The returning former host is a guest, and their new ticket says so.
  const ticket = await host.call('POST', `/api/v1/rooms/${room.id}/ticket`)
  t.equal(decodeJwt(ticket.json().ticket).role, 'guest')
  const view = (await host.call('GET', `/api/v1/rooms/${room.id}`)).json().room
  t.equal(view.hostId, first.id)
})
