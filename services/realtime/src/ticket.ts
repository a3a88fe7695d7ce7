import { CLOSE_CODES, TICKET_AUDIENCE, TicketClaims, USER_TICKET_AUDIENCE, UserTicketClaims } from '@watch-together/protocol'
import { errors, jwtVerify, SignJWT } from 'jose'

export type TicketCheck =
  | { ok: true, claims: TicketClaims }
  | { ok: false, code: number, reason: string }

/** Verifies a room-api ticket locally (HS256, audience, expiry, claims, room); never throws. */
/** `roomId` null accepts a ticket of any room (the original protocol is per user, not per room). */
export async function verifyTicket (token: string | undefined, secret: Uint8Array, roomId: string | null): Promise<TicketCheck> {
  if (!token) return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket missing' }
  let payload: unknown
  try {
    ;({ payload } = await jwtVerify(token, secret, { audience: TICKET_AUDIENCE, algorithms: ['HS256'] }))
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, code: CLOSE_CODES.ticketExpired, reason: 'ticket expired' }
    return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket invalid' }
  }
  const claims = TicketClaims.safeParse(payload)
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
  let payload: unknown
  try {
    ;({ payload } = await jwtVerify(token, secret, { audience: USER_TICKET_AUDIENCE, algorithms: ['HS256'] }))
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, code: CLOSE_CODES.ticketExpired, reason: 'ticket expired' }
    return { ok: false, code: CLOSE_CODES.ticketInvalid, reason: 'ticket invalid' }
  }
  const claims = UserTicketClaims.safeParse(payload)
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
