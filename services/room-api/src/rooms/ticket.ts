import { type ControlMode, type MemberRole, TICKET_AUDIENCE, TicketClaims, USER_TICKET_AUDIENCE, UserTicketClaims } from '@watch-together/protocol'
import { createSigner } from 'fast-jwt'

export interface TicketInput {
  userId: string
  name: string
  roomId: string
  role: MemberRole
  controlMode: ControlMode
  /** The room's film and its length, so realtime can tell when the film has ended. */
  film?: { id: string, durationMs: number }
  /** The membership epoch (ticket claim `epoch`). */
  epoch?: number
}

/**
 * Signs a realtime ticket (packages/protocol ticket.ts): HS256 with TICKET_SECRET, short-lived.
 * fast-jwt signs with node:crypto synchronously (jose 6 goes through WebCrypto: ~16× the CPU,
 * see plugins/auth.ts); realtime verifies the standard JWT with jose.
 */
export function createTicketSigner (secret: string, ttlSeconds: number) {
  // iat and exp come from the claims below (a payload's iat takes precedence over the signer's clock).
  const sign = createSigner({ key: secret, algorithm: 'HS256' })
  return async (input: TicketInput) => {
    const iat = Math.floor(Date.now() / 1000)
    const exp = iat + ttlSeconds
    // Parsing first guarantees the realtime service can read what we sign.
    const claims = TicketClaims.parse({
      sub: input.userId, name: input.name, room: input.roomId, role: input.role, controlMode: input.controlMode, film: input.film, epoch: input.epoch, aud: TICKET_AUDIENCE, iat, exp
    })
    const { name, room, role, controlMode, film, epoch } = claims
    const ticket = sign({ name, room, role, controlMode, ...(film ? { film } : {}), ...(epoch !== undefined ? { epoch } : {}), sub: claims.sub, aud: TICKET_AUDIENCE, iat, exp })
    return { ticket, expiresAt: new Date(exp * 1000).toISOString() }
  }
}

/** Signs a ticket for the per-user channel (/users/ws): the same secret, its own audience, so neither opens the other. */
export function createUserTicketSigner (secret: string, ttlSeconds: number) {
  const sign = createSigner({ key: secret, algorithm: 'HS256' })
  return async (user: { id: string, name: string }) => {
    const iat = Math.floor(Date.now() / 1000)
    const exp = iat + ttlSeconds
    const claims = UserTicketClaims.parse({ sub: user.id, name: user.name.slice(0, 64) || 'Viewer', aud: USER_TICKET_AUDIENCE, iat, exp })
    return { ticket: sign({ ...claims }), expiresAt: new Date(exp * 1000).toISOString() }
  }
}
