import type pg from 'pg'
import { withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import { appendUserEvents } from '../outbox/outbox-repository.js'
import { userEvent } from '../outbox/user-events.js'
import { FriendsRepository } from '../friends/friends-repository.js'
import { invitationFacts } from './rooms-repository.js'
import type { CurrentUser } from './rooms-service.js'

/**
 * "Watch together" with friends: a present member of an active room invites some of their friends.
 * Each invitee gets a room.invited event on their own stream (user-scoped), which realtime pushes
 * to their per-user channel if they are online; the invite link works for everyone as always.
 * Only mutual friends can be invited (anyone else: ROOM_NOT_FRIEND), so the feature cannot be used
 * to message strangers; who has blocked the inviter is not told (they are skipped like strangers).
 */
export async function inviteFriends (pool: pg.Pool, user: CurrentUser, roomId: string, userIds: string[], onEvents: () => void): Promise<string[]> {
  const invited = await withTransaction(pool, async (db) => {
    const room = await invitationFacts(db, roomId, user.id)
    if (!room) throw errors.roomNotFound()
    if (room.status !== 'active') throw errors.roomClosed()
    if (!room.present) throw errors.notMember()
    const friends = await new FriendsRepository(pool).friendIdsAmong(db, user.id, userIds)
    const strangers = userIds.filter((id) => !friends.has(id))
    if (strangers.length > 0) throw errors.notFriend(strangers)
    const events = [...friends].map((to) => userEvent('room.invited', to, {
      roomId, inviteCode: room.invite_code, roomName: room.name, filmId: room.film_id, filmTitle: room.title, fromUserId: user.id, fromName: user.name
    }))
    await appendUserEvents(db, events)
    return [...friends]
  })
  if (invited.length > 0) onEvents()
  return invited
}
