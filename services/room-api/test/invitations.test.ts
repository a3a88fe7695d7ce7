// "Watch together" with friends: a member invites friends to a room; each invitee gets a room.invited
// event on their own stream (user-scoped, keyed user:<id>), which realtime pushes to their /users/ws.
import { waitFor } from '@watch-together/test-kit'
import { decodeJwt } from 'jose'
import t from 'tap'
import { buildTestApp, person } from './helpers/app.js'
import { collectTopic } from './helpers/topic.js'

const code = (res: { json: () => { errors: Array<{ code: string }> } }) => res.json().errors[0]?.code

t.test('members invite their friends, and only their friends; each invitee gets an event on their stream', async (t) => {
  const test = await buildTestApp(t)
  const [vasily, petr, olga, stranger] = [await person(test, 'Vasily', 'vasily'), await person(test, 'Petr', 'petr'), await person(test, 'Olga', 'olga'), await person(test, 'Stranger', 'stranger')]
  for (const friend of [petr, olga]) {
    await vasily.call('POST', '/api/v1/me/friend-requests', { userId: friend.id })
    t.equal((await friend.call('POST', `/api/v1/me/friend-requests/${vasily.id}/accept`)).statusCode, 200)
  }
  const room = (await vasily.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: 'movie-night' })).json().room
  const url = `/api/v1/rooms/${room.id}/invitations`

  t.equal(code(await vasily.call('POST', url, { userIds: [petr.id, stranger.id] })), 'ROOM_NOT_FRIEND', 'a stranger cannot be invited')
  t.equal(code(await petr.call('POST', url, { userIds: [vasily.id] })), 'ROOM_NOT_MEMBER', 'only members invite')
  t.equal(code(await vasily.call('POST', url, { userIds: [] })), 'VALIDATION_FAILED')
  const invited = await vasily.call('POST', url, { userIds: [petr.id, olga.id, petr.id] })
  t.equal(invited.statusCode, 200, 'invited')
  t.same(invited.json().invited.sort(), [petr.id, olga.id].sort())

  const topic = await collectTopic(t, test.topic)
  const invitations = await waitFor('both invitations on the topic', () => {
    const found = topic.events.filter((e) => e.type === 'room.invited')
    return found.length >= 2 && found
  }, 60_000)
  t.equal(invitations.length, 2, 'one event per invitee (the refused calls made none)')
  t.match(invitations.find((e) => e.userId === petr.id), {
    roomId: null,
    payload: { roomId: room.id, inviteCode: room.inviteCode, roomName: 'movie-night', filmId: 'sintel', filmTitle: 'Sintel', fromUserId: vasily.id, fromName: 'Vasily' }
  })

  const ticket = await petr.call('POST', '/api/v1/me/ticket')
  t.equal(ticket.statusCode, 200)
  t.match(decodeJwt(ticket.json().ticket), { sub: petr.id, aud: 'watch-together:user', name: 'Petr' }, 'a ticket for the per-user channel')
})
