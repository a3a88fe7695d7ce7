import t from 'tap'
import { Email, FriendRequestBody, Handle, parseEvent, SignUpBody, TelegramAuthBody, USER_SCOPED_EVENT_TYPES } from '../src/index.js'

t.test('handles: @ dropped, lowercased, the pattern and the reserved words', async (t) => {
  t.equal(Handle.parse(' @Vasily_1 '), 'vasily_1')
  for (const bad of ['ab', '1abc', 'a-b', 'a'.repeat(31), 'admin', '@', 'ва_ся']) t.notOk(Handle.safeParse(bad).success, bad)
  t.equal(Email.parse(' Ann@Example.COM '), 'ann@example.com')
  t.notOk(SignUpBody.safeParse({ email: 'a@b.co', password: 'x'.repeat(9), displayName: 'A' }).success, 'passwords of 10 or more')
  t.notOk(SignUpBody.safeParse({ email: 'a@b.co', password: 'x'.repeat(10), displayName: 'A', role: 'admin' }).success, 'strict bodies')
  t.ok(FriendRequestBody.safeParse({ handle: '@x_y_z' }).success)
  t.notOk(FriendRequestBody.safeParse({ handle: 'xyz', userId: 'u' }).success, 'one of userId or handle')
})

t.test('Telegram bodies keep fields the schema does not name (the hash covers them)', async (t) => {
  const body = TelegramAuthBody.parse({ id: 1, auth_date: '2', hash: 'A'.repeat(64), new_field: 'x' })
  t.equal((body as Record<string, unknown>).new_field, 'x')
  t.notOk(TelegramAuthBody.safeParse({ id: 1, auth_date: 2, hash: 'a'.repeat(64), nested: { a: 1 } }).success)
})

t.test('friend and profile events are user-scoped', async (t) => {
  for (const type of ['friend.request_sent', 'friend.removed', 'user.blocked', 'user.profile_updated']) t.ok(USER_SCOPED_EVENT_TYPES.has(type), type)
  const event = { id: crypto.randomUUID(), type: 'friend.request_sent', roomId: null, userId: 'u1', at: 1, seq: 1, v: 1, source: 'room-api', payload: { otherUserId: 'u2', actorId: 'u1' } }
  t.ok(parseEvent(JSON.stringify(event)).success)
  t.notOk(parseEvent(JSON.stringify({ ...event, roomId: crypto.randomUUID() })).success, 'never with a room')
  t.notOk(parseEvent(JSON.stringify({ ...event, payload: { otherUserId: 'u2' } })).success, 'the payload is checked')
})
