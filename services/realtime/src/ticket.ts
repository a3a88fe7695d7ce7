import { CLOSE_CODES, TICKET_AUDIENCE, TicketClaims, USER_TICKET_AUDIENCE, UserTicketClaims } from '@watch-together/protocol'
import { createVerifier, TokenError } from 'fast-jwt'
import { SignJWT } from 'jose'

export type TicketCheck =
  | { ok: true, claims: TicketClaims }
  | { ok: false, code: number, reason: string }

/**
 * Verifies tickets locally (HS256, audience, expiry, claims); never throws. fast-jwt checks the HMAC
 * with node:crypto synchronously: jose 6 goes through WebCrypto, several times the CPU per connect
 * (room-api measured ~90 µs against ~5 µs per verification), and connects come in bursts.
 */
function verifier (secret: Uint8Array, audience: string) {
  const verify = createVerifier({ key: Buffer.from(secret).toString('utf8'), algorithms: ['HS256'], allowedAud: audience, requiredClaims: ['aud', 'exp'] })
  return (token: string): { ok: true, payload: unknown } | { ok: false, code: number, reason: string } => {
    try {
      return { ok: true, payload: verify(token) }
    } catch (err) {
      if (err instanceof TokenError && err.code === TokenError.codes.expired) return { ok: false, code: CLOSE_CODES.ticketExpired, reason: 'ticket expired' }
      return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket invalid' }
    }
  }
}
const verifiers = new WeakMap<Uint8Array, { room: ReturnType<typeof verifier>, user: ReturnType<typeof verifier> }>()
function verifiersFor (secret: Uint8Array) {
  let v = verifiers.get(secret)
  if (!v) verifiers.set(secret, v = { room: verifier(secret, TICKET_AUDIENCE), user: verifier(secret, USER_TICKET_AUDIENCE) })
  return v
}

/** Verifies a room-api ticket locally (HS256, audience, expiry, claims, room); never throws. */
/** `roomId` null accepts a ticket of any room (the original protocol is per user, not per room). */
export async function verifyTicket (token: string | undefined, secret: Uint8Array, roomId: string | null): Promise<TicketCheck> {
  if (!token) return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket missing' }
  const checked = verifiersFor(secret).room(token)
  if (!checked.ok) return checked
  const claims = TicketClaims.safeParse(checked.payload)
  if (!claims.success) return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket claims invalid' }
  if (roomId !== null && claims.data.room !== roomId) return { ok: false, code: CLOSE_CODES.wrongRoom, reason: 'ticket is for another room' }
  return { ok: true, claims: claims.data }
}

/** Signs a ticket the way room-api does; used by tests, the benchmark and local tools. */
export async function signTicket (
  claims: Omit<TicketClaims, 'aud' | 'iat' | 'exp'>,
  secret: string,
  ttlSeconds = 300
): Promise<string> {
  const { sub, ...rest } = claims
  return await new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience(TICKET_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret))
}

export type UserTicketCheck =
  | { ok: true, claims: UserTicketClaims }
  | { ok: false, code: number, reason: string }

/** Verifies room-api's user ticket (POST /api/v1/me/ticket) for the per-user channel; never throws. */
export async function verifyUserTicket (token: string | undefined, secret: Uint8Array): Promise<UserTicketCheck> {
  if (!token) return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket missing' }
  const checked = verifiersFor(secret).user(token)
  if (!checked.ok) return checked
  const claims = UserTicketClaims.safeParse(checked.payload)
  if (!claims.success) return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket claims invalid' }
  return { ok: true, claims: claims.data }
}

/** Signs a user ticket the way room-api does; used by tests. */
export async function signUserTicket (claims: { sub: string, name: string }, secret: string, ttlSeconds = 300): Promise<string> {
  return await new SignJWT({ name: claims.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setAudience(USER_TICKET_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret))
}
