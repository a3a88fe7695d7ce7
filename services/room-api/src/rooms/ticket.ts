import { type ControlMode, type MemberRole, TICKET_AUDIENCE, TicketClaims } from '@watch-together/protocol'
import { SignJWT } from 'jose'
import { hmacKey } from '../plugins/auth.js'

export interface TicketInput {
  userId: string
  name: string
  roomId: string
  role: MemberRole
  controlMode: ControlMode
  /** The room's film and its length, so realtime can tell when the film has ended. */
  film?: { id: string, durationMs: number }
}

/** Signs a realtime ticket (packages/protocol ticket.ts): HS256 with TICKET_SECRET, short-lived. */
export function createTicketSigner (secret: string, ttlSeconds: number) {
  const key = hmacKey(secret)
  return async (input: TicketInput) => {
    const iat = Math.floor(Date.now() / 1000)
    const exp = iat + ttlSeconds
    // Parsing first guarantees the realtime service can read what we sign.
    const claims = TicketClaims.parse({
      sub: input.userId, name: input.name, room: input.roomId, role: input.role, controlMode: input.controlMode, film: input.film, aud: TICKET_AUDIENCE, iat, exp
    })
    const { name, room, role, controlMode, film } = claims
    const ticket = await new SignJWT({ name, room, role, controlMode, ...(film ? { film } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub).setAudience(TICKET_AUDIENCE).setIssuedAt(iat).setExpirationTime(exp)
      .sign(await key)
    return { ticket, expiresAt: new Date(exp * 1000).toISOString() }
  }
}
