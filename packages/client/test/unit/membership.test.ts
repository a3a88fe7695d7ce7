// Membership in the SDK with a scripted socket: the new frames keep members and host current, the
// close codes that end a membership are final (and say why), 4014 fetches one fresh ticket.
import { type ChatMessage, CLOSE_CODES, type Member, type PlayerState } from '@watch-together/protocol'
import t from 'tap'
import type { MembershipEnded } from '../../src/index.js'
import { fakeClient, FakeSocket, sessionReady } from '../fake-socket.js'

const state: PlayerState = { queue: ['film'], index: 0, itemId: 'film', playing: false, positionMs: 0, refAt: 1, rate: 1, version: 1, leaderId: null }
const member = (userId: string, role: Member['role'] = 'guest'): Member => ({ userId, name: userId.toUpperCase(), role, online: true, muted: false })
const message = (messageId: string, userId = 'bob'): ChatMessage =>
  ({ messageId, clientMessageId: messageId, userId, name: 'Bob', text: `text of ${messageId}`, positionMs: 0, at: 1, reactions: {} })
const ready = (seq: number, extra: object = {}) => sessionReady(seq, { state, members: [member('host', 'host'), member('ann'), member('bob')], chat: [message('m1'), message('m2')], ...extra })

const setUp = fakeClient

const settle = () => new Promise((resolve) => setTimeout(resolve, 80))

t.test('host, mute and departures from pushed frames keep members and roles current', async (t) => {
  const { client, socket } = setUp(t)
  const connected = client.connect()
  const s = await socket(1)
  s.serve(ready(10))
  await connected
  t.equal(client.hostId, 'host')
  t.equal(client.isHost(), false)
  const seen: string[] = []
  client.on('hostChanged', (c) => seen.push(`host ${c.fromUserId}→${c.toUserId} (${c.reason})`))
  client.on('muteChanged', (c) => seen.push(`mute ${c.userId} ${c.muted} by ${c.actor?.name}`))
  client.on('memberLeft', (l) => seen.push(`left ${l.userId} ${l.reason}`))
  client.on('presence', (members, change) => seen.push(`presence ${change?.kind} [${members.map((m) => m.userId).join(',')}]`))

  s.serve({ type: 'host.changed', seq: 11, at: 1, fromUserId: 'host', toUserId: 'ann', reason: 'absent' })
  t.equal(client.hostId, 'ann')
  t.equal(client.isHost(), true, 'this client is the host now')
  t.same([...client.members.values()].map((m) => [m.userId, m.role]), [['host', 'guest'], ['ann', 'host'], ['bob', 'guest']])

  s.serve({ type: 'member.mute_changed', seq: 12, at: 1, userId: 'bob', muted: true, actor: { userId: 'ann', name: 'Ann' } })
  t.equal(client.members.get('bob')?.muted, true)
  s.serve({ type: 'member.mute_changed', seq: 13, at: 1, userId: 'ann', muted: true, actor: { userId: 'x', name: 'X' } })
  t.equal(client.isMuted(), true, 'this client is muted')

  s.serve({ type: 'member.left', seq: 14, at: 1, userId: 'bob', name: 'Bob', reason: 'banned', actor: { userId: 'ann', name: 'Ann' } })
  t.notOk(client.members.has('bob'), 'a departed member leaves the list')
  t.equal(client.status, 'open', 'someone else\'s departure changes nothing for this client')
  t.same(seen, [
    'host host→ann (absent)', 'presence host [host,ann,bob]',
    'mute bob true by Ann', 'presence muted [host,ann,bob]',
    'mute ann true by X', 'presence muted [host,ann,bob]',
    'left bob banned', 'presence departed [host,ann]'
  ])
})

for (const [code, reason] of [[CLOSE_CODES.memberLeft, 'left'], [CLOSE_CODES.memberRemoved, 'removed'], [CLOSE_CODES.memberBanned, 'banned']] as const) {
  t.test(`close ${code} ends the membership (${reason}): final, no reconnect`, async (t) => {
    const { client, socket, counter } = setUp(t)
    const connected = client.connect()
    ;(await socket(1)).serve(ready(3))
    await connected
    const ended: MembershipEnded[] = []
    const statuses: string[] = []
    client.on('membershipEnded', (e) => ended.push(e))
    client.on('connection', (status) => statuses.push(status))
    const pending = client.pause()
    FakeSocket.all[0]!.drop(code, 'bye')
    await t.rejects(pending, { code: 'WT_DISCONNECTED' }, 'a command in flight fails')
    await settle()
    t.same(ended, [{ reason, code, actor: null }])
    t.same(statuses, ['closed'])
    t.equal(client.status, 'closed')
    t.same(client.ended, { reason, code, actor: null })
    t.equal(FakeSocket.all.length, 1, 'no reconnect')
    t.equal(counter.tickets, 1, 'no new ticket')
    await t.rejects(client.connect(), { code: 'WT_CLOSED' }, 'connect() after the end is refused at once')
  })
}

t.test('a member.left about this client ends it at once, with the host who did it', async (t) => {
  const { client, socket } = setUp(t)
  const connected = client.connect()
  const s = await socket(1)
  s.serve(ready(3))
  await connected
  const ended: MembershipEnded[] = []
  client.on('membershipEnded', (e) => ended.push(e))
  s.serve({ type: 'member.left', seq: 4, at: 1, userId: 'ann', name: 'Ann', reason: 'removed', actor: { userId: 'host', name: 'HOST' } })
  t.same(ended, [{ reason: 'removed', actor: { userId: 'host', name: 'HOST' } }])
  t.equal(client.status, 'closed')
  t.equal(s.readyState, 3, 'the client closed its socket')
  s.drop(CLOSE_CODES.memberRemoved)
  await settle()
  t.equal(ended.length, 1, 'told once, even when the close follows')
  t.equal(FakeSocket.all.length, 1)
})

t.test('4014: one fresh ticket at once; a second 4014 in a row closes', async (t) => {
  const { client, socket, counter } = setUp(t)
  const connected = client.connect()
  ;(await socket(1)).drop(CLOSE_CODES.ticketSuperseded, 'superseded')
  const s2 = await socket(2)
  t.equal(counter.tickets, 2, 'a new ticket was asked for')
  t.match(s2.url, /ticket=ticket-2/)
  s2.serve(ready(5))
  await connected
  // Counted in a row only: after a session.ready, a later 4014 again gets its one retry.
  s2.drop(CLOSE_CODES.ticketSuperseded)
  const s3 = await socket(3)
  const errors: string[] = []
  client.on('error', (e) => errors.push(e.code))
  s3.drop(CLOSE_CODES.ticketSuperseded)
  await settle()
  t.equal(client.status, 'closed')
  t.same(errors, ['WT_CLOSED'])
  t.equal(FakeSocket.all.length, 3, 'no third attempt')
  t.equal(client.ended, null, 'not a membership end: the user may still be in the room elsewhere')
})

t.test('4014 with a static ticket closes: there is no newer ticket to ask for', async (t) => {
  const { client, socket } = setUp(t, 'static-ticket')
  const connected = client.connect()
  ;(await socket(1)).drop(CLOSE_CODES.ticketSuperseded)
  await t.rejects(connected, { code: 'WT_CLOSED' })
  t.equal(FakeSocket.all.length, 1)
})

t.test('resume: membership frames the snapshot already holds are skipped; deletions still apply to the kept chat', async (t) => {
  const { client, socket } = setUp(t)
  const connected = client.connect()
  ;(await socket(1)).serve(ready(10))
  await connected
  client.drop()
  const s2 = await socket(2)
  t.match(s2.url, /since=10/)
  const told: string[] = []
  for (const event of ['hostChanged', 'muteChanged', 'memberLeft', 'messageDeleted'] as const) client.on(event, () => told.push(event))
  // The snapshot (seq 13) already has bob gone and ann as host; the missed frames 11-13 follow it.
  s2.serve(ready(13, { resumed: true, hostId: 'ann', chat: [], members: [member('host'), member('ann', 'host')] }))
  s2.serve({ type: 'member.left', seq: 11, at: 1, userId: 'ann', name: 'Ann', reason: 'left', actor: null })
  s2.serve({ type: 'host.changed', seq: 12, at: 1, fromUserId: 'ann', toUserId: 'host', reason: 'left' })
  s2.serve({ type: 'chat.message_deleted', seq: 13, at: 1, messageId: 'm1', actor: { userId: 'host', name: 'HOST' } })
  t.equal(client.status, 'open', 'an old member.left of this user (before rejoining) does not end it')
  t.equal(client.hostId, 'ann', 'the snapshot\'s host stands')
  t.same(told, ['messageDeleted'])
  t.match(client.chat, [{ messageId: 'm1', text: '', deleted: true }, { messageId: 'm2', text: 'text of m2' }])
  // A live one (after the snapshot) applies.
  s2.serve({ type: 'host.changed', seq: 14, at: 1, fromUserId: 'ann', toUserId: 'host', reason: 'transfer' })
  t.equal(client.hostId, 'host')
})

t.test('deleteMessage: settled by its own frame, refused with the server\'s code, or by someone else\'s deletion', async (t) => {
  const { client, socket } = setUp(t)
  const connected = client.connect()
  const s = await socket(1)
  s.serve(ready(1, { you: { userId: 'ann', name: 'Ann', role: 'host' }, hostId: 'ann' }))
  await connected
  const deleted: string[] = []
  client.on('messageDeleted', ({ messageId }) => deleted.push(messageId))

  const first = client.deleteMessage('m1')
  const frame = s.sent.at(-1)!
  t.match(frame, { type: 'chat.delete', messageId: 'm1', ref: String })
  s.serve({ type: 'chat.message_deleted', seq: 2, at: 1, ref: frame.ref, messageId: 'm1', actor: { userId: 'ann', name: 'Ann' } })
  await first
  t.match(client.chat[0], { messageId: 'm1', text: '', deleted: true, reactions: {} })

  const refused = client.deleteMessage('old')
  s.serve({ type: 'error', ref: s.sent.at(-1)!.ref, code: 'RT_MESSAGE_NOT_FOUND', message: 'no recent message with that id' })
  await t.rejects(refused, { code: 'RT_MESSAGE_NOT_FOUND' })

  // Two hosts' deletions cross: the server ignores the second, the first one's frame settles both.
  const crossed = client.deleteMessage('m2')
  s.serve({ type: 'chat.message_deleted', seq: 3, at: 1, messageId: 'm2', actor: { userId: 'other', name: 'Other' } })
  await crossed
  const sentBefore = s.sent.length
  await client.deleteMessage('m2')
  t.equal(s.sent.length, sentBefore, 'an already deleted message is not sent again')
  t.same(deleted, ['m1', 'm2'])
})
