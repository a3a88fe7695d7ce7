// The matches query at scale: one user with BENCH_MATCH_FRIENDS (1,000) friends, every one of them
// (and the user) with about BENCH_MATCH_LIST (10,000) films on their list, drawn at random from a
// catalog of BENCH_MATCH_CATALOG (50,000) films — 10 million watchlist rows at the defaults. Seeded
// with set-based SQL into the bench schema after the server has migrated it; then GET /me/matches.
import { createHmac } from 'node:crypto'
import type autocannon from 'autocannon'
import pg from 'pg'

export interface MatchScale { friends: number, list: number, catalog: number }

export const ME = 'bench-me'

export function matchScale (): MatchScale {
  return {
    friends: Number(process.env.BENCH_MATCH_FRIENDS ?? 1000),
    list: Number(process.env.BENCH_MATCH_LIST ?? 10_000),
    catalog: Number(process.env.BENCH_MATCH_CATALOG ?? 50_000)
  }
}

/** Seeds films, users, friendships (both directions) and lists; returns what was made and how long it took. */
export async function seedMatches (databaseUrl: string, schema: string, scale: MatchScale) {
  const db = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` })
  await db.connect()
  const started = Date.now()
  try {
    await db.query(`INSERT INTO films (id, title, duration_sec, stream_url)
      SELECT 'bench-' || g, 'Bench film ' || lpad(g::text, 6, '0'), 600, '/media/bench.webm' FROM generate_series(1, $1) g`, [scale.catalog])
    await db.query(`INSERT INTO users (id, handle, display_name, origin)
      SELECT CASE WHEN g = 0 THEN $2 ELSE 'bench-f' || g END, CASE WHEN g = 0 THEN 'bench_me' ELSE 'bench_f' || g END,
        CASE WHEN g = 0 THEN 'Bench Me' ELSE 'Friend ' || g END, 'external'
      FROM generate_series(0, $1) g`, [scale.friends, ME])
    await db.query(`INSERT INTO friendships (user_id, friend_id)
      SELECT $1, id FROM users WHERE id <> $1 UNION ALL SELECT id, $1 FROM users WHERE id <> $1`, [ME])
    // Each of the catalog's films with probability list/catalog, per user: about `list` films each.
    await db.query(`INSERT INTO watchlist (user_id, film_id)
      SELECT u.id, 'bench-' || g FROM users u CROSS JOIN generate_series(1, $1) g WHERE random() < $2::double precision / $1`,
    [scale.catalog, scale.list])
    // What autovacuum would do before long: statistics, and the visibility map index-only scans need.
    await db.query('VACUUM (ANALYZE) films, users, friendships, watchlist')
    const { rows } = await db.query<{ rows: number, shared: number }>(`SELECT (SELECT count(*)::int FROM watchlist) AS rows,
      (SELECT count(*)::int FROM watchlist mine JOIN friendships fr ON fr.user_id = mine.user_id
        JOIN watchlist fw ON fw.user_id = fr.friend_id AND fw.film_id = mine.film_id WHERE mine.user_id = $1) AS shared`, [ME])
    return { watchlistRows: rows[0]?.rows ?? 0, sharedPairs: rows[0]?.shared ?? 0, seconds: (Date.now() - started) / 1000 }
  } finally {
    await db.end()
  }
}

/** GET /api/v1/me/matches as the seeded user (a token signed like the Auth service's). */
export function matchesFlow (port: number, secret: string, connections: number): autocannon.Options {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: ME, name: 'Bench Me', iat: now, exp: now + 3600 })}`
  const token = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
  return { url: `http://127.0.0.1:${port}/api/v1/me/matches`, connections, headers: { authorization: `Bearer ${token}` } }
}
