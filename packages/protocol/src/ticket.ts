import { z } from 'zod'
import { RoomId, UserId } from './common.js'
import { ControlMode, MemberRole } from './event-types.js'

/**
 * The realtime ticket: a short-lived JWT (HS256, shared TICKET_SECRET) that room-api signs
 * for a member of a room and the realtime service verifies locally, without a call back.
 * Standard claims: sub = user id, aud = TICKET_AUDIENCE, iat/exp in seconds.
 */
export const TICKET_AUDIENCE = 'watch-together:realtime'

export const TicketClaims = z.object({
  sub: UserId,
  /** Display name shown in the room. */
  name: z.string().min(1).max(64),
  room: RoomId,
  role: MemberRole,
  /** The room's control mode when the ticket was issued; later changes arrive as events. */
  controlMode: ControlMode,
  /**
   * The room's film and its length (ms), so realtime can check a reported end against its own
   * clock without calling room-api. Optional: tickets signed before it existed still verify.
   */
  film: z.object({ id: z.string().min(1).max(128), durationMs: z.number().int().positive() }).optional(),
  /**
   * The membership epoch: the seq of the member.joined event that began this membership. Realtime
   * refuses the ticket once a later member.left ended it, or a later join superseded it, so a
   * ticket never outlives its membership (optional only for tickets signed before it existed).
   */
  epoch: z.number().int().nonnegative().optional(),
  aud: z.literal(TICKET_AUDIENCE),
  iat: z.number().int(),
  exp: z.number().int()
})
export type TicketClaims = z.infer<typeof TicketClaims>

/**
 * The ticket secret both services fall back to outside production, so a fresh clone runs
 * with no .env. Both refuse it when NODE_ENV=production.
 */
export const DEV_TICKET_SECRET = 'dev-only-ticket-secret-change-me-0123456789'

/**
 * The realtime admin token (announcements, /stats) in development, so a fresh clone can try
 * announcements with no .env (`pnpm announce`). Refused when NODE_ENV=production.
 */
export const DEV_ADMIN_TOKEN = 'dev-admin-token-change-me-0123456789'
