import { z } from 'zod'
import { RoomId, ServerTime, UserId } from './common.js'

/**
 * The per-user channel (`/users/ws?ticket=JWT`): what reaches a signed-in person wherever they are
 * in the web client, outside any room — invitations to watch together, and friend changes. Its
 * ticket is room-api's `POST /api/v1/me/ticket`: HS256 with the shared TICKET_SECRET, audience
 * USER_TICKET_AUDIENCE (a room ticket does not open it, nor the reverse). Frames are server → client.
 */
export const USER_TICKET_AUDIENCE = 'watch-together:user'

export const UserTicketClaims = z.object({
  sub: UserId,
  name: z.string().min(1).max(64),
  aud: z.literal(USER_TICKET_AUDIENCE),
  iat: z.number().int(),
  exp: z.number().int()
})
export type UserTicketClaims = z.infer<typeof UserTicketClaims>

const Person = z.object({ userId: UserId, name: z.string() })

export const UserReadyFrame = z.object({ type: z.literal('user.ready'), you: Person, serverTime: ServerTime })
/** A friend invited you to their room ("Watch together" on a match): join with the invite code. */
export const InvitationReceivedFrame = z.object({
  type: z.literal('invitation.received'),
  at: ServerTime,
  roomId: RoomId,
  inviteCode: z.string(),
  roomName: z.string().nullable(),
  film: z.object({ id: z.string(), title: z.string() }),
  from: Person
})
/** Something changed between you and another person (a request, an acceptance, …): refresh the friends view. */
export const FriendsChangedFrame = z.object({
  type: z.literal('friends.changed'),
  at: ServerTime,
  change: z.string(),
  otherUserId: UserId,
  actorId: UserId
})
export const UserServerFrame = z.discriminatedUnion('type', [UserReadyFrame, InvitationReceivedFrame, FriendsChangedFrame])
export type UserServerFrame = z.infer<typeof UserServerFrame>
