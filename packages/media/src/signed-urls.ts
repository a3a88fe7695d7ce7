import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed, expiring media URLs: `/media/v/<token>/<item id>/<file>`, the token binding the user, the
 * item and the expiry with an HMAC. The token is a path segment, not a query string, so the relative
 * URLs inside HLS playlists (segments, renditions) inherit it and every request is checked. A
 * separate cookie (`wt_media`, the user's id signed the same way) must name the same user, so a
 * URL copied to someone else is refused even before it expires.
 */
export interface MediaGrant { userId: string, itemId: string, expiresAt: number }
export type GrantCheck = { ok: true, grant: MediaGrant } | { ok: false, code: 'MEDIA_URL_INVALID' | 'MEDIA_URL_EXPIRED' | 'MEDIA_URL_OTHER_USER' }

const b64 = (s: string) => Buffer.from(s).toString('base64url')
const mac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('base64url').slice(0, 32)
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

export function signGrant (secret: string, grant: MediaGrant): string {
  const exp = Math.floor(grant.expiresAt / 1000)
  return `${b64(grant.userId)}.${exp}.${mac(secret, `grant\n${grant.userId}\n${grant.itemId}\n${exp}`)}`
}

export function signViewer (secret: string, userId: string): string {
  return `${b64(userId)}.${mac(secret, `viewer\n${userId}`)}`
}

function viewerOf (secret: string, cookie: string | undefined): string | null {
  const [user, sig] = (cookie ?? '').split('.')
  if (!user || !sig) return null
  const userId = Buffer.from(user, 'base64url').toString()
  return same(sig, mac(secret, `viewer\n${userId}`)) ? userId : null
}

export function checkGrant (secret: string, token: string, itemId: string, viewerCookie: string | undefined, now = Date.now()): GrantCheck {
  const [user, exp, sig] = token.split('.')
  if (!user || !exp || !sig || !/^\d{1,12}$/.test(exp)) return { ok: false, code: 'MEDIA_URL_INVALID' }
  const userId = Buffer.from(user, 'base64url').toString()
  if (!same(sig, mac(secret, `grant\n${userId}\n${itemId}\n${exp}`))) return { ok: false, code: 'MEDIA_URL_INVALID' }
  if (Number(exp) * 1000 <= now) return { ok: false, code: 'MEDIA_URL_EXPIRED' }
  if (viewerOf(secret, viewerCookie) !== userId) return { ok: false, code: 'MEDIA_URL_OTHER_USER' }
  return { ok: true, grant: { userId, itemId, expiresAt: Number(exp) * 1000 } }
}
