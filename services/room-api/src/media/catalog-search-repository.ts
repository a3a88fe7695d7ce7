import type { Film, FilmsQuery } from '@watch-together/protocol'
import type pg from 'pg'
import { FILM_COLUMNS, type FilmRow, toFilm } from '../rooms/room-view.js'

/** Words of a search, each searched as a prefix: letters and digits only, so tsquery syntax cannot be injected. */
export function searchWords (text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8)
}

export interface CatalogRow extends FilmRow {
  kind: 'film' | 'track'
  original_title: string | null
  genres: string[]
  people: string[]
  languages: string[]
  subtitle_languages: string[]
  artist: string | null
  album: string | null
  track_number: number | null
}

export const CATALOG_COLUMNS = `${FILM_COLUMNS}, m.kind, m.original_title, m.genres, m.people, m.languages, m.subtitle_languages,
  m.artist, m.album, m.track_number`

export function toCatalogFilm (row: CatalogRow): Film {
  return {
    ...toFilm(row),
    kind: row.kind,
    originalTitle: row.original_title,
    genres: row.genres,
    people: row.people,
    languages: row.languages,
    subtitleLanguages: row.subtitle_languages,
    artist: row.artist,
    album: row.album,
    trackNumber: row.track_number
  }
}

export type CatalogQuery = Pick<FilmsQuery, 'q' | 'kind' | 'genre' | 'year' | 'language'>
export interface CatalogPage { films: Film[], total: number, totalCapped: boolean }

/** How many matches a search counts and ranks at most: past it the total reads "1000+". */
export const SEARCH_CAP = 1000

/**
 * The catalog, filtered and searched. Each word matches as a prefix after English and Russian
 * stemming ("dragons" and "драконы" both find "дракон…"), and names unstemmed ('simple'); all words
 * must match. When nothing matches that way, titles within typo distance of the query do (pg_trgm
 * word similarity: "sintl" → Sintel); typo tolerance is the fallback, so a common word never pays
 * for a similarity scan of every title it appears in.
 *
 * Bounded at any catalog size: a search reads at most `cap` + 1 matches from the GIN index (the
 * bitmap scan stops fetching rows at the LIMIT) plus up to `cap` title matches (their own index,
 * so a film named for a common word is a candidate even when thousands of descriptions mention the
 * word), ranks only those candidates (ts_rank_cd, title weight A over description C) and pages
 * through them. The total is exact up to `cap`; past it `totalCapped` says "cap+". Which of more
 * than `cap` description-only matches become candidates is the index's order, not their rank — the
 * price of never ranking every match; a narrower search brings the rest in.
 */
export async function searchCatalog (db: Pick<pg.Pool, 'query'>, query: CatalogQuery, limit: number, offset: number, cap = SEARCH_CAP): Promise<CatalogPage> {
  const words = query.q === undefined ? [] : searchWords(query.q)
  if (query.q !== undefined && words.length === 0) return { films: [], total: 0, totalCapped: false }
  if (!words.length) return await browse(db, query, limit, offset, cap)
  const sql = new Sql()
  const tsquery = words.map((w) => {
    const p = sql.value(`${w}:*`)
    return `(to_tsquery('english', ${p}) || to_tsquery('russian', ${p}) || to_tsquery('simple', ${p}))`
  }).join(' && ')
  const found = await ranked(db, sql, query, {
    match: `m.search @@ (${tsquery})`,
    titleMatch: `media_title_doc(m.titles) @@ (${tsquery})`,
    rank: `ts_rank_cd(m.search, ${tsquery})`
  }, limit, offset, cap)
  if (found.total > 0) return found
  const typo = new Sql()
  const text = typo.value(words.join(' '))
  return await ranked(db, typo, query, { match: `${text} OPERATOR(public.<%) m.titles`, rank: `public.word_similarity(${text}, m.titles)` }, limit, offset, cap)
}

/** Positional parameters, numbered as they are added. */
class Sql {
  readonly values: unknown[] = []
  value (v: unknown): string { this.values.push(v); return `$${this.values.length}` }
}

/** The filters, on media_items m (and films f for the year: `from` joins it only then). */
function filtered (sql: Sql, query: CatalogQuery) {
  const where = ['m.removed_at IS NULL']
  if (query.kind !== undefined) where.push(`m.kind = ${sql.value(query.kind)}`)
  if (query.genre !== undefined) where.push(`m.genres @> ARRAY[${sql.value(query.genre.toLowerCase())}::text]`)
  if (query.year !== undefined) where.push(`f.year = ${sql.value(query.year)}::int`)
  if (query.language !== undefined) where.push(`(m.languages || m.subtitle_languages) @> ARRAY[${sql.value(query.language)}::text]`)
  return { where, from: `media_items m${query.year === undefined ? '' : ' JOIN films f ON f.id = m.film_id'}` }
}

type Row = Partial<CatalogRow> & { hits: number, candidates: number }

/** Counts a bounded query's rows: exact up to `cap`, "cap+" past it. */
function totalOf (rows: Row[], count: 'hits' | 'candidates', cap: number) {
  const hits = rows[0]?.hits ?? 0
  return hits > cap ? { total: cap, totalCapped: true } : { total: rows[0]?.[count] ?? 0, totalCapped: false }
}
const filmsOf = (rows: Row[]) => rows.filter((r): r is CatalogRow & Row => r.id != null).map(toCatalogFilm)

/**
 * A search, in one round trip: at most cap + 1 matches (`hits`, counted) and cap title matches,
 * each ranked as it is read (only these rows are ever ranked), the union of both ordered by rank
 * (ties by titles), and only the page's rows joined to their films. The page is LEFT JOINed to one
 * row so the count comes back even past the last page.
 */
async function ranked (db: Pick<pg.Pool, 'query'>, sql: Sql, query: CatalogQuery, search: { match: string, titleMatch?: string, rank: string },
  limit: number, offset: number, cap: number): Promise<CatalogPage> {
  const { where, from } = filtered(sql, query)
  const bounded = (match: string, n: number) =>
    `SELECT m.film_id, m.titles, ${search.rank} AS rank FROM ${from} WHERE ${[match, ...where].join(' AND ')} LIMIT ${sql.value(n)}`
  const ctes = [`hits AS (${bounded(search.match, cap + 1)})`]
  if (search.titleMatch) ctes.push(`title_hits AS (${bounded(search.titleMatch, cap)})`)
  ctes.push(`candidates AS (SELECT * FROM hits${search.titleMatch ? ' UNION SELECT * FROM title_hits' : ''})`)
  ctes.push(`page AS (SELECT * FROM candidates ORDER BY rank DESC, titles, film_id LIMIT ${sql.value(limit)} OFFSET ${sql.value(offset)})`)
  const { rows } = await db.query<Row>(
    `WITH ${ctes.join(', ')}
     SELECT (SELECT count(*) FROM hits)::int AS hits, (SELECT count(*) FROM candidates)::int AS candidates, p.*
     FROM (SELECT 1) one LEFT JOIN LATERAL (
       SELECT ${CATALOG_COLUMNS}, page.rank, page.titles AS sort_titles FROM page JOIN films f ON f.id = page.film_id JOIN media_items m ON m.film_id = page.film_id
     ) p ON true
     ORDER BY p.rank DESC, p.sort_titles, p.id`, sql.values)
  return { films: filmsOf(rows), ...totalOf(rows, 'candidates', cap) }
}

/** No search text: title order from films_by_title (or films_by_year_title), the count bounded. */
async function browse (db: Pick<pg.Pool, 'query'>, query: CatalogQuery, limit: number, offset: number, cap: number): Promise<CatalogPage> {
  const sql = new Sql()
  const { where, from } = filtered(sql, query)
  const { rows } = await db.query<Row>(
    `WITH hits AS (SELECT 1 FROM ${from} WHERE ${where.join(' AND ')} LIMIT ${sql.value(cap + 1)})
     SELECT (SELECT count(*) FROM hits)::int AS hits, p.*
     FROM (SELECT 1) one LEFT JOIN LATERAL (
       SELECT ${CATALOG_COLUMNS} FROM films f JOIN media_items m ON m.film_id = f.id WHERE ${where.join(' AND ')}
       ORDER BY f.title, f.id LIMIT ${sql.value(limit)} OFFSET ${sql.value(offset)}
     ) p ON true`, sql.values)
  return { films: filmsOf(rows), ...totalOf(rows, 'hits', cap) }
}
