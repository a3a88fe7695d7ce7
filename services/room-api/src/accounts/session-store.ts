import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type pg from 'pg'
import { type Db, withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'

/** What the browser gets for a session: the refresh token (cookie only) and the CSRF token. */
export interface SessionTokens { sessionId: string, refreshToken: string, csrfToken: string }
export type SignInMethod = 'password' | 'telegram'
export type RevokeReason = 'sign_out' | 'sign_out_everywhere' | 'password_changed' | 'reuse'

const sha256 = (value: string) => createHash('sha256').update(value).digest()
const newToken = () => randomBytes(32).toString('base64url')

/** Constant-time: the presented CSRF token against the session's stored hash. */
function csrfMatches (presented: string | undefined, storedHash: Buffer): boolean {
  if (!presented || presented.length > 200) return false
  return timingSafeEqual(sha256(presented), storedHash)
}

interface TokenRow { session_id: string, user_id: string, csrf_hash: Buffer, used: boolean, expired: boolean, revoked: boolean }

/**
 * Sessions as refresh-token families. Only SHA-256 hashes of tokens are stored (a database leak
 * yields nothing usable). Each refresh rotates the token; the old one stays, marked used, until it
 * expires, so presenting it again is detected as reuse — a stolen token raced against its owner —
 * and revokes the whole family. The CSRF token is per session, its hash kept beside the family.
 */
export class SessionStore {
  constructor (private readonly pool: pg.Pool, private readonly refreshTtlSeconds: number) {}

  /** A new family with its first refresh token, inside the caller's transaction. One statement. */
  async open (db: Db | pg.Pool, userId: string, method: SignInMethod): Promise<SessionTokens> {
    const tokens = { sessionId: randomUUID(), refreshToken: newToken(), csrfToken: newToken() }
    await db.query(`WITH s AS (INSERT INTO sessions (id, user_id, method, csrf_hash) VALUES ($1, $2, $3, $4))
      INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($5, $1, now() + make_interval(secs => $6))`,
    [tokens.sessionId, userId, method, sha256(tokens.csrfToken), sha256(tokens.refreshToken), this.refreshTtlSeconds])
    return tokens
  }

  /**
   * Trades a refresh token for its successor. Order of checks: unknown → ROOM_REFRESH_INVALID;
   * wrong CSRF token → ROOM_CSRF_FAILED (nothing changes, so a forged request cannot burn the
   * session); revoked family → ROOM_SESSION_REVOKED; already used → the family is revoked and
   * ROOM_REFRESH_REUSED; expired → ROOM_REFRESH_INVALID. The rows are locked, so two refreshes of
   * one token cannot both succeed: the second is reuse.
   */
  async rotate (refreshToken: string | undefined, csrfToken: string | undefined): Promise<{ userId: string, tokens: SessionTokens }> {
    if (!refreshToken) throw errors.refreshInvalid()
    const outcome = await withTransaction(this.pool, async (db) => {
      const row = await this.lockToken(db, refreshToken)
      if (!row) throw errors.refreshInvalid()
      if (!csrfMatches(csrfToken, row.csrf_hash)) throw errors.csrfFailed()
      if (row.revoked) throw errors.sessionRevoked()
      if (row.used) {
        await this.revokeFamily(db, row.session_id, 'reuse')
        return { reused: true as const } // committed, then refused below
      }
      if (row.expired) throw errors.refreshInvalid()
      const next = newToken()
      await db.query(`WITH used AS (UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1),
        s AS (UPDATE sessions SET refreshed_at = now() WHERE id = $2)
        INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($3, $2, now() + make_interval(secs => $4))`,
      [sha256(refreshToken), row.session_id, sha256(next), this.refreshTtlSeconds])
      return { reused: false as const, userId: row.user_id, tokens: { sessionId: row.session_id, refreshToken: next, csrfToken: csrfToken as string } }
    })
    if (outcome.reused) throw errors.refreshReused()
    return { userId: outcome.userId, tokens: outcome.tokens }
  }

  /** Ends the cookie's session (CSRF-checked). No or an unknown cookie: nothing to end. */
  async signOut (refreshToken: string | undefined, csrfToken: string | undefined): Promise<number> {
    if (!refreshToken) return 0
    return await withTransaction(this.pool, async (db) => {
      const row = await this.lockToken(db, refreshToken)
      if (!row) return 0
      if (!csrfMatches(csrfToken, row.csrf_hash)) throw errors.csrfFailed()
      return await this.revokeFamily(db, row.session_id, 'sign_out')
    })
  }

  /** Every live session of a user (sign out everywhere, password change). */
  async revokeAll (db: Db | pg.Pool, userId: string, reason: RevokeReason): Promise<number> {
    const { rowCount } = await db.query(`UPDATE sessions SET revoked_at = now(), revoke_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL`, [userId, reason])
    return rowCount ?? 0
  }

  /** Expired tokens, and families with none left, are of no further use (not even for reuse detection). */
  async sweep (): Promise<void> {
    await this.pool.query('DELETE FROM refresh_tokens WHERE expires_at < now()')
    await this.pool.query(`DELETE FROM sessions s WHERE refreshed_at < now() - make_interval(secs => $1)
      AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id)`, [this.refreshTtlSeconds])
  }

  private async lockToken (db: Db, refreshToken: string): Promise<TokenRow | undefined> {
    if (refreshToken.length > 200) return undefined
    const { rows } = await db.query<TokenRow>(`SELECT t.session_id, s.user_id, s.csrf_hash, t.used_at IS NOT NULL AS used,
        t.expires_at <= now() AS expired, s.revoked_at IS NOT NULL AS revoked
      FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1 FOR UPDATE OF t, s`, [sha256(refreshToken)])
    return rows[0]
  }

  private async revokeFamily (db: Db, sessionId: string, reason: RevokeReason): Promise<number> {
    const { rowCount } = await db.query(`UPDATE sessions SET revoked_at = now(), revoke_reason = $2
      WHERE id = $1 AND revoked_at IS NULL`, [sessionId, reason])
    return rowCount ?? 0
  }
}
