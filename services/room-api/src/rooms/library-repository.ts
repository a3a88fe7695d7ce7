import type { Film } from '@watch-together/protocol'
import type pg from 'pg'
import { errors } from '../errors.js'
import { FILM_COLUMNS, type FilmRow, toFilm } from './room-view.js'

/** Turns free text into a prefix query over title words: "big bun" → big:* & bun:*. */
export function toPrefixQuery (text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  return words.length ? words.slice(0, 8).map((w) => `${w}:*`).join(' & ') : null
}

/** The catalog and "want to watch" lists (friends and matches: src/friends). */
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
}
