import type { Film } from '@watch-together/protocol'
import type pg from 'pg'
import { errors } from '../errors.js'
import { type CatalogPage, type CatalogQuery, searchCatalog } from '../media/catalog-search-repository.js'
import { FILM_COLUMNS, type FilmRow, toFilm } from './room-view.js'

/** The catalog and "want to watch" lists (friends and matches: src/friends). */
export class LibraryRepository {
  constructor (private readonly pool: pg.Pool) {}

  /** The catalog page: search and filters in src/media/catalog-search-repository.ts. */
  async films (query: CatalogQuery, limit: number, offset: number): Promise<CatalogPage> {
    return await searchCatalog(this.pool, query, limit, offset)
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
