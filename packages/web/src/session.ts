/** The signed-in user: a room-api token (dev sign-in or pasted from the Auth service), kept in localStorage. */
export interface Session { token: string, user: { id: string, name: string }, expiresAt: string | null }

const KEY = 'wt.session'

export function loadSession (): Session | null {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return null
    const session = JSON.parse(raw) as Session
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) { clearSession(); return null }
    return session
  } catch {
    return null
  }
}

export function saveSession (session: Session) { localStorage.setItem(KEY, JSON.stringify(session)) }
export function clearSession () { localStorage.removeItem(KEY) }

/**
 * A session from a pasted token: the id and name come from its claims (`sub`, `name`); the
 * signature is room-api's to check, so a bad token fails on the first call.
 */
export function sessionFromToken (token: string): Session {
  const part = token.trim().split('.')[1]
  if (!part) throw new Error('This does not look like a JWT (three dot-separated parts).')
  let claims: { sub?: unknown, name?: unknown, exp?: unknown }
  try {
    // base64url → bytes → UTF-8 (atob alone would garble non-Latin names).
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))))
  } catch {
    throw new Error('The token could not be read.')
  }
  if (typeof claims.sub !== 'string') throw new Error('The token has no user id (sub).')
  const name = typeof claims.name === 'string' ? claims.name : claims.sub
  const expiresAt = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null
  return { token: token.trim(), user: { id: claims.sub, name }, expiresAt }
}
