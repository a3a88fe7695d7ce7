// Who can read a room and act in it over realtime: a ticket is the only proof of membership, scoped to one
// room and one user. connect.test.ts checks each close code once; here every way in to a room's history
// (fresh join, resume with since, the original protocol, the HTTP endpoints) is tried without the right ticket.
import { randomUUID } from 'node:crypto'
import { CLOSE_CODES, PLAYER_COMMANDS } from '@watch-together/protocol'
import t from 'tap'
import { startApp, testConfig, TestClient, ticket } from './helpers.js'

const ADMIN_TOKEN = 'admin-token-for-security-test'
const config = testConfig({ ADMIN_TOKEN, CHAT_RATE_MAX: '3', CHAT_RATE_WINDOW_MS: '60000' })
const { base, http } = await startApp(t, config)
const SECRET_TEXT = `secret-${randomUUID()}`

// A room with history: a chat line nobody outside may read.
const roomId = randomUUID()
const { client: host } = await TestClient.join(base, roomId, { userId: 'host-1', role: 'host', controlMode: 'host_only' })
t.teardown(() => host.close())
host.send({ type: 'chat.send', clientMessageId: 'c1', text: SECRET_TEXT })
await host.ofType('chat.message_sent')

t.test('no way into the room history without a ticket for this room', async (t) => {
  const otherRoom = randomUUID()
  const urls: Array<[string, string, number]> = [
    ['no ticket, resume', `${base}/rooms/${roomId}/ws?since=0`, CLOSE_CODES.ticketInvalid],
    ['other room\'s ticket', `${base}/rooms/${roomId}/ws?ticket=${await ticket(otherRoom)}`, CLOSE_CODES.wrongRoom],
    ['other room\'s ticket, resume', `${base}/rooms/${roomId}/ws?ticket=${await ticket(otherRoom)}&since=0`, CLOSE_CODES.wrongRoom],
    ['expired ticket, resume', `${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, {}, -1)}&since=0`, CLOSE_CODES.ticketExpired],
    ['ticket signed with another secret', `${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, { role: 'host' }, 300, 'forged-secret-0123456789abc')}`, CLOSE_CODES.ticketInvalid],
    ['ticket in a header, not the query', `${base}/rooms/${roomId}/ws`, CLOSE_CODES.ticketInvalid]
  ]
  for (const [what, url, code] of urls) {
    const client = new TestClient(url, { authorization: `Bearer ${await ticket(roomId)}` })
    const closed = await client.closed
    t.equal(closed.code, code, what)
    t.same(client.pending(), [], `${what}: not one frame`)
  }
  // A member of another room sees only that room.
  const { client: outsider, ready } = await TestClient.join(base, otherRoom)
  t.notMatch(JSON.stringify(ready), SECRET_TEXT)
  await outsider.close()
})

t.test('the original protocol needs a valid ticket too', async (t) => {
  for (const [what, query] of [
    ['none', ''],
    ['expired', `?ticket=${await ticket(roomId, { userId: 'host-1' }, -1)}`],
    ['forged', `?ticket=${await ticket(roomId, { userId: 'host-1' }, 300, 'forged-secret-0123456789abc')}`]
  ] as const) {
    const client = new TestClient(`${base}/sync-player/ws${query}`)
    const closed = await client.closed
    t.ok(closed.code >= 4000, `${what}: closed with ${closed.code}`)
    t.same(client.pending(), [], `${what}: no state sent`)
  }
})

t.test('HTTP endpoints do not reveal room contents', async (t) => {
  for (const path of ['/stats', '/metrics', '/healthz', '/readyz']) {
    const res = await fetch(`${http}${path}`)
    const body = await res.text()
    t.notMatch(body, SECRET_TEXT, `${path}: no chat text`)
    t.notMatch(body, roomId, `${path}: no room id`)
  }
  const announce = (auth?: string) => fetch(`${http}/admin/announcements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify({ text: 'spam', roomId })
  })
  t.equal((await announce()).status, 401, 'no token')
  t.equal((await announce(`Bearer ${ADMIN_TOKEN}x`)).status, 401, 'wrong token')
  t.equal((await announce(`Bearer ${await ticket(roomId, { role: 'host' })}`)).status, 401, 'a host ticket is not the admin token')
})

t.test('host-only rooms: every player command from a guest is refused and changes nothing', async (t) => {
  const { client: guest, ready } = await TestClient.join(base, roomId, { userId: 'guest-1', role: 'guest', controlMode: 'host_only' })
  t.teardown(() => guest.close())
  const version = ready.state.version
  const frames: Record<typeof PLAYER_COMMANDS[number], object> = {
    play: { leadMs: 0 },
    pause: {},
    seek: { positionMs: 1000 },
    set_rate: { rate: 2 },
    next: {},
    previous: {},
    jump: { index: 0 },
    replace_queue: { items: ['film-x'] },
    append_queue: { items: ['film-y'] }
  }
  for (const command of PLAYER_COMMANDS) {
    guest.send({ type: `player.${command}`, version, ref: command, ...frames[command] })
    const refused = await guest.ofType('player.command_rejected', command)
    t.equal(refused.code, 'RT_NOT_ALLOWED', command)
    t.equal(refused.state.version, version, `${command}: state unchanged`)
  }
  // A ticket claiming role "host" but signed by room-api for a guest cannot exist; a forged one was refused above.
  const { ready: again } = await TestClient.join(base, roomId, { userId: 'guest-2', controlMode: 'host_only' })
  t.equal(again.state.version, version, 'nobody saw a change')
  t.equal(host.pending().filter((f) => f.type === 'player.state_changed').length, 0, 'the host saw no change')
})

t.test('the chat rate limit holds per user, across that user\'s sockets', async (t) => {
  const room = randomUUID()
  const a = await TestClient.join(base, room, { userId: 'chatty' })
  const b = await TestClient.join(base, room, { userId: 'chatty' })
  t.teardown(() => Promise.all([a.client.close(), b.client.close()]))
  const replies: string[] = []
  for (let i = 0; i < 6; i++) {
    const socket = i % 2 === 0 ? a.client : b.client
    socket.send({ type: 'chat.send', clientMessageId: `m${i}`, text: `hello ${i}`, ref: `r${i}` })
    const reply = await socket.next((f) => f.ref === `r${i}`, `reply r${i}`)
    replies.push(reply.type === 'error' ? reply.code : reply.type)
  }
  t.same(replies, ['chat.message_sent', 'chat.message_sent', 'chat.message_sent', 'RT_RATE_LIMITED', 'RT_RATE_LIMITED', 'RT_RATE_LIMITED'])
})
