import type { Film, Match } from '@watch-together/protocol'
import type pg from 'pg'
import { errors } from '../errors.js'
import { FILM_COLUMNS, type FilmRow, toFilm } from './room-view.js'

/** Turns free text into a prefix query over title words: "big bun" → big:* & bun:*. */
export function toPrefixQuery (text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  return words.length ? words.slice(0, 8).map((w) => `${w}:*`).join(' & ') : null
}

/** The catalog, "want to watch" lists, friendships and matches. */
export class LibraryRepository {
  constructor (private readonly pool: pg.Pool) {}

  async films (q: string | undefined, limit: number, offset: number): Promise<{ films: Film[], total: number }> {
    const query = q === undefined ? null : toPrefixQuery(q)
    if (q !== undefined && query === null) return { films: [], total: 0 }
    // $1 is the search (or NULL for all films), so one statement serves both paths.
    const where = "WHERE $1::text IS NULL OR to_tsvector('simple', f.title) @@ to_tsquery('simple', $1)"
    const [page, count] = await Promise.all([
      this.pool.query<FilmRow>(`SELECT ${FILM_COLUMNS} FROM films f ${where} ORDER BY f.title, f.id LIMIT $2 OFFSET $3`, [query, limit, offset]),
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM films f ${where}`, [query])
    ])
    return { films: page.rows.map(toFilm), total: count.rows[0]?.total ?? 0 }
  }

  async film (id: string): Promise<Film> {
    const { rows } = await this.pool.query<FilmRow>(`SELECT ${FILM_COLUMNS} FROM films f WHERE f.id = $1`, [id])
    if (!rows[0]) throw errors.filmNotFound()
    return toFilm(rows[0])
  }

  async watchlist (userId: string) {
    const { rows } = await this.pool.query<FilmRow & { added_at: Date }>(
      `SELECT ${FILM_COLUMNS}, w.added_at FROM watchlist w JOIN films f ON f.id = w.film_id
       WHERE w.user_id = $1 ORDER BY w.added_at DESC, f.id`, [userId])
    return rows.map((r) => ({ film: toFilm(r), addedAt: r.added_at.toISOString() }))
  }

  /** Idempotent: adding twice keeps the first time. */
  async addToWatchlist (userId: string, filmId: string) {
    const { rowCount } = await this.pool.query(
      `INSERT INTO watchlist (user_id, film_id) SELECT $1, id FROM films WHERE id = $2
       ON CONFLICT (user_id, film_id) DO NOTHING`, [userId, filmId])
    if (rowCount === 0) await this.film(filmId) // 404 if the film does not exist
  }

  async removeFromWatchlist (userId: string, filmId: string) {
    await this.pool.query('DELETE FROM watchlist WHERE user_id = $1 AND film_id = $2', [userId, filmId])
  }

  async friends (userId: string) {
    const { rows } = await this.pool.query<{ friend_id: string, created_at: Date }>(
      'SELECT friend_id, created_at FROM friendships WHERE user_id = $1 ORDER BY created_at, friend_id', [userId])
    return rows.map((r) => ({ userId: r.friend_id, since: r.created_at.toISOString() }))
  }

  /** Friends are the user's own list (one direction): adding someone needs no consent, and shows only their wishes to you. */
  async addFriend (userId: string, friendId: string) {
    if (userId === friendId) throw errors.selfFriend()
    await this.pool.query(
      'INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, friendId])
  }

  async removeFriend (userId: string, friendId: string) {
    await this.pool.query('DELETE FROM friendships WHERE user_id = $1 AND friend_id = $2', [userId, friendId])
  }

  /** Films on my list that friends also want, with those friends, most-shared first: one query. */
  async matches (userId: string): Promise<Match[]> {
    const { rows } = await this.pool.query<FilmRow & { friend_ids: string[], count: number }>(`
      SELECT ${FILM_COLUMNS}, array_agg(fw.user_id ORDER BY fw.user_id) AS friend_ids, count(*)::int AS count
      FROM watchlist mine
      JOIN friendships fr ON fr.user_id = mine.user_id
      JOIN watchlist fw ON fw.user_id = fr.friend_id AND fw.film_id = mine.film_id
      JOIN films f ON f.id = mine.film_id
      WHERE mine.user_id = $1
      GROUP BY f.id
      ORDER BY count DESC, f.title, f.id`, [userId])
    return rows.map((r) => ({ film: toFilm(r), friendIds: r.friend_ids, count: r.count }))
  }
}
