import { createHash } from 'node:crypto'
import type pg from 'pg'

export interface ThrottleOptions {
  maxPerAccount: number
  maxPerAddress: number
  windowMs: number
  lockMs: number
}

/**
 * Brute-force protection for password sign-in, in PostgreSQL so every replica shares it. Failures
 * are counted per email (whether or not an account has it: a lock then says nothing about
 * existence; the email is stored only as a hash) and per client address, in a fixed window; at
 * the limit the key is locked for `lockMs` and its count starts again. A success clears the email's
 * count, never the address's. The cost of a per-account lock: anyone can lock an account for
 * `lockMs` by failing on purpose — the bound on guessing is worth it, and a lock expires.
 */
export class SignInThrottle {
  constructor (private readonly pool: pg.Pool, private readonly opts: ThrottleOptions) {}

  private keys (email: string, address: string) {
    return [
      { key: `email:${createHash('sha256').update(email).digest('hex')}`, max: this.opts.maxPerAccount },
      { key: `ip:${address}`, max: this.opts.maxPerAddress }
    ]
  }

  /** Milliseconds until this email and this address may try again (0: now). */
  async lockedFor (email: string, address: string): Promise<number> {
    const { rows } = await this.pool.query<{ ms: number | null }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()) * 1000)::int AS ms FROM sign_in_throttle
       WHERE key = ANY($1) AND locked_until > now()`, [this.keys(email, address).map((k) => k.key)])
    return rows[0]?.ms ?? 0
  }

  async failed (email: string, address: string): Promise<void> {
    const keys = this.keys(email, address)
    const { rows } = await this.pool.query<{ key: string, failures: number }>(
      `INSERT INTO sign_in_throttle AS t (key, failures, window_started_at)
       SELECT k, 1, now() FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2::double precision / 1000) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2::double precision / 1000) THEN now() ELSE t.window_started_at END
       RETURNING key, failures`, [keys.map((k) => k.key), this.opts.windowMs])
    const reached = rows.filter((r) => r.failures >= (keys.find((k) => k.key === r.key)?.max ?? Infinity)).map((r) => r.key)
    if (reached.length === 0) return
    await this.pool.query(`UPDATE sign_in_throttle SET locked_until = now() + make_interval(secs => $2::double precision / 1000),
      failures = 0, window_started_at = now() WHERE key = ANY($1)`, [reached, this.opts.lockMs])
  }

  async succeeded (email: string): Promise<void> {
    await this.pool.query('DELETE FROM sign_in_throttle WHERE key = $1', [this.keys(email, '')[0]?.key])
  }

  /** Rows whose window and lock are both over are forgotten. */
  async sweep (): Promise<void> {
    await this.pool.query(`DELETE FROM sign_in_throttle WHERE greatest(window_started_at + make_interval(secs => $1::double precision / 1000),
      coalesce(locked_until, '-infinity')) < now()`, [this.opts.windowMs])
  }
}
