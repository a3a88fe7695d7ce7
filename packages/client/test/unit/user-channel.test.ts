// The per-user channel in the SDK (UserChannel) over a scripted socket: frames become typed events,
// a drop reconnects with a fresh ticket, refused tickets are asked again a few times then give up,
// a refused origin and close() are final, and nothing malformed reaches a listener.
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { type FriendsChanged, type Invitation, UserChannel, type UserChannelStatus, type WebSocketConstructor } from '../../src/index.js'
import { FakeSocket } from '../fake-socket.js'

const ready = (userId = 'petr', name = 'Petr') => ({ type: 'user.ready', you: { userId, name }, serverTime: Date.now() })
const invitation = {
  type: 'invitation.received',
  at: 1_700_000_000_000,
  roomId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  inviteCode: 'AbCdEf123456',
  roomName: 'movie-night',
  film: { id: 'sintel', title: 'Sintel' },
  from: { userId: 'vasily', name: 'Vasily' }
}
const friendsChanged = { type: 'friends.changed', at: 1_700_000_000_001, change: 'friend.request_accepted', otherUserId: 'vasily', actorId: 'petr' }

function channel (t: { teardown (fn: () => unknown): void }, opts: { ticket?: string, maxTicketFailures?: number, failProvider?: number } = {}) {
  FakeSocket.all = []
  const counter = { tickets: 0 }
  const ch = new UserChannel({
    url: 'ws://fake/',
    ticket: opts.ticket ?? (() => {
      counter.tickets++
      if (counter.tickets <= (opts.failProvider ?? 0)) throw new Error('room-api unreachable')
      return `ticket-${counter.tickets}`
    }),
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
    ...(opts.maxTicketFailures !== undefined ? { maxTicketFailures: opts.maxTicketFailures } : {})
  })
  const statuses: UserChannelStatus[] = []
  const errors: string[] = []
  ch.on('connection', (status) => statuses.push(status))
  ch.on('error', (err) => errors.push(err.message))
  t.teardown(() => ch.close())
  const socket = async (n: number) => await waitFor(`socket ${n}`, () => FakeSocket.all[n - 1])
  return { ch, counter, socket, statuses, errors }
}

t.test('frames become events; a drop reconnects with a fresh ticket', async (t) => {
  const { ch, counter, socket, statuses } = channel(t)
  const invitations: Invitation[] = []
  const changes: FriendsChanged[] = []
  ch.on('invitation', (i) => invitations.push(i))
  ch.on('friendsChanged', (c) => changes.push(c))

  const connected = ch.connect()
  const s1 = await socket(1)
  t.equal(s1.url, 'ws://fake/users/ws?ticket=ticket-1', 'the channel URL, with the ticket')
  t.equal(ch.status, 'connecting')
  s1.serve(ready())
  t.same((await connected).you, { userId: 'petr', name: 'Petr' })
  t.same(ch.you, { userId: 'petr', name: 'Petr' })
  t.equal(ch.status, 'open')
  t.same((await ch.connect()).you, { userId: 'petr', name: 'Petr' }, 'connect() while open resolves at once')
  t.equal(FakeSocket.all.length, 1, 'and opens nothing more')

  s1.serve(invitation)
  s1.serve(friendsChanged)
  t.same(invitations, [invitation])
  t.same(changes, [friendsChanged])
  t.same(s1.sent, [], 'nothing is ever sent on this channel')

  // A network failure: reconnect after the backoff, with a new ticket.
  s1.drop(1006)
  t.equal(ch.status, 'reconnecting')
  const s2 = await socket(2)
  t.equal(s2.url, 'ws://fake/users/ws?ticket=ticket-2', 'a fresh ticket for the new connection')
  t.equal(counter.tickets, 2)
  s2.serve(ready())
  await waitFor('open again', () => ch.status === 'open')
  s2.serve({ ...invitation, roomId: '2b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' })
  t.equal(invitations.length, 2, 'invitations keep coming after the reconnect')
  t.same(statuses, ['connecting', 'open', 'reconnecting', 'reconnecting', 'open'])
})

t.test('malformed and unknown frames are ignored, never emitted', async (t) => {
  const { ch, socket, errors } = channel(t)
  const invitations: Invitation[] = []
  ch.on('invitation', (i) => invitations.push(i))
  const connected = ch.connect()
  const s1 = await socket(1)
  s1.serve(ready())
  await connected
  s1.onmessage?.({ data: 'not json' })
  s1.serve({ type: 'invitation.received', roomId: 'not-a-room-id' })
  s1.serve({ type: 'something.new', at: 1 })
  s1.onmessage?.({ data: new TextEncoder().encode(JSON.stringify(invitation)) })
  t.equal(errors.length, 3, 'each bad frame is told as an error')
  t.same(invitations, [invitation], 'a binary frame with a good invitation counts; the bad ones do not')
  t.equal(ch.status, 'open', 'and the channel stays open')
})

t.test('a refused ticket asks the provider again; too many refusals in a row give up', async (t) => {
  const { ch, counter, socket, statuses, errors } = channel(t, { maxTicketFailures: 2 })
  const connected = ch.connect()
  ;(await socket(1)).drop(4002, 'ticket expired')
  ;(await socket(2)).drop(4001, 'ticket invalid')
  ;(await socket(3)).drop(4001, 'ticket invalid')
  await t.rejects(connected, /closed/, 'connect() rejects once it gives up')
  t.equal(ch.status, 'closed')
  t.equal(counter.tickets, 3, 'a new ticket each time')
  t.equal(statuses.at(-1), 'closed')
  t.match(errors, [/refused the ticket \(4002/, /4001/, /4001/])
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.equal(FakeSocket.all.length, 3, 'no further attempt')

  // connect() starts over.
  const again = ch.connect()
  const s4 = await socket(4)
  s4.serve(ready())
  t.same((await again).you.userId, 'petr')
})

t.test('a ready connection resets the count of refused tickets', async (t) => {
  const { ch, socket } = channel(t, { maxTicketFailures: 1 })
  const connected = ch.connect()
  ;(await socket(1)).drop(4002, 'ticket expired')
  const s2 = await socket(2)
  s2.serve(ready())
  await connected
  s2.drop(4002, 'ticket expired')
  const s3 = await socket(3)
  s3.serve(ready())
  await waitFor('open', () => ch.status === 'open')
  t.pass('one refusal after a good connection is not "two in a row"')
})

t.test('a static ticket refused, or a refused origin, is final', async (t) => {
  const fixed = channel(t, { ticket: 'only-one' })
  const connected = fixed.ch.connect()
  ;(await fixed.socket(1)).drop(4002, 'ticket expired')
  await t.rejects(connected)
  t.equal(fixed.ch.status, 'closed')

  const origin = channel(t)
  const p = origin.ch.connect()
  ;(await origin.socket(1)).drop(4004, 'origin not allowed')
  await t.rejects(p, /origin not allowed/)
  t.equal(origin.ch.status, 'closed')
  t.equal(origin.counter.tickets, 1)
})

t.test('a failing ticket provider is retried with backoff', async (t) => {
  const { ch, counter, socket, errors } = channel(t, { failProvider: 2 })
  const connected = ch.connect()
  const s1 = await socket(1)
  t.equal(counter.tickets, 3, 'two failures, then a ticket')
  t.equal(s1.url, 'ws://fake/users/ws?ticket=ticket-3')
  t.match(errors, [/ticket provider failed: room-api unreachable/, /room-api unreachable/])
  s1.serve(ready())
  await connected
})

t.test('close() is final until connect(), even with a ticket on its way', async (t) => {
  let release: (ticket: string) => void = () => {}
  FakeSocket.all = []
  const ch = new UserChannel({
    url: 'ws://fake',
    ticket: () => new Promise<string>((resolve) => { release = resolve }),
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 5, maxDelayMs: 10 }
  })
  const connected = ch.connect()
  ch.close()
  await t.rejects(connected, /closed by the client/)
  release('late-ticket')
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(FakeSocket.all.length, 0, 'the late ticket opens nothing')

  const again = ch.connect()
  release('ticket-2')
  const s = await waitFor('socket', () => FakeSocket.all[0])
  s.serve(ready())
  await again
  ch.close()
  t.equal(s.readyState, 3, 'the socket is closed')
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(FakeSocket.all.length, 1, 'and not re-opened')
  t.equal(ch.status, 'closed')
})
