import type { GarbageScope, IngestedItem, Manifest } from '@watch-together/media'
import type { MediaJob, MediaKind } from '@watch-together/protocol'
import type pg from 'pg'
import { withTransaction } from '../db/transaction.js'

type Queryable = Pick<pg.Pool, 'query'>

export interface PlayableRow {
  id: string
  kind: MediaKind
  stream_url: string
  poster_url: string | null
  source: 'demo' | 'file' | 'url'
  media_path: string | null
  manifest: Partial<Manifest> & { remote?: IngestedItem['remote'] }
}

interface JobRow {
  id: string
  input: string
  status: MediaJob['status']
  step: string | null
  progress: number
  item_ids: string[]
  error_code: string | null
  error_message: string | null
  created_at: Date
  updated_at: Date
}

const toJob = (r: JobRow): MediaJob => ({
  id: r.id,
  input: r.input,
  status: r.status,
  step: r.step,
  progress: r.progress,
  itemIds: r.item_ids,
  error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString()
})

/** The media library's tables (items, sources, jobs). All its SQL is here. */
export class MediaRepository {
  constructor (private readonly pool: pg.Pool) {}

  /**
   * Makes an ingested item visible, in one transaction: its films row (created or updated) and its
   * catalog details. Re-adding the same input (same source key) replaces the item; a removed item
   * comes back. Returns the media path the item used before, for the caller to delete.
   */
  async upsertItem (item: IngestedItem, jobId: string): Promise<{ previousPath: string | null }> {
    const m = item.metadata
    // Clients ask GET /api/v1/films/:id/playback for signed URLs; a remote stream's own URL is public anyway.
    const stream = item.remote ? item.remote.url : `/api/v1/films/${m.id}/playback`
    return await withTransaction(this.pool, async (db) => {
      const previous = await db.query<{ media_path: string | null }>('SELECT media_path FROM media_items WHERE film_id = $1 FOR UPDATE', [m.id])
      await db.query(
        `INSERT INTO films (id, title, year, duration_sec, stream_url, poster_url, description) VALUES ($1, $2, $3, $4, $5, NULL, $6)
         ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, year = EXCLUDED.year, duration_sec = EXCLUDED.duration_sec,
           stream_url = EXCLUDED.stream_url, description = EXCLUDED.description`,
        [m.id, m.title, m.year, m.durationSec, stream, m.description])
      const manifest = { ...(item.manifest ?? {}), ...(item.remote ? { remote: item.remote } : {}) }
      await db.query(
        `INSERT INTO media_items (film_id, kind, original_title, genres, people, languages, subtitle_languages, artist, album, track_number,
           source, source_key, fingerprint, media_path, manifest, bytes, removed_at, titles, search)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL, $17,
           media_search_doc($18, $3, $19, $5, $4, $8, $9, $20))
         ON CONFLICT (film_id) DO UPDATE SET kind = EXCLUDED.kind, original_title = EXCLUDED.original_title, genres = EXCLUDED.genres,
           people = EXCLUDED.people, languages = EXCLUDED.languages, subtitle_languages = EXCLUDED.subtitle_languages,
           artist = EXCLUDED.artist, album = EXCLUDED.album, track_number = EXCLUDED.track_number, source = EXCLUDED.source,
           source_key = EXCLUDED.source_key, fingerprint = EXCLUDED.fingerprint, media_path = EXCLUDED.media_path,
           manifest = EXCLUDED.manifest, bytes = EXCLUDED.bytes, removed_at = NULL, titles = EXCLUDED.titles, search = EXCLUDED.search`,
        [m.id, m.kind, m.originalTitle, m.genres, m.people, m.languages, m.subtitleLanguages, m.artist, m.album, m.trackNumber,
          item.source, item.sourceKey, item.fingerprint, item.mediaPath, JSON.stringify(manifest), item.manifest?.bytes ?? 0,
          [m.title, m.originalTitle, m.artist].filter(Boolean).join(' '), m.title, m.description, m.year])
      // Poster URL: the packaged poster, served under the item's signed path is not public, so the
      // catalog shows it through /media/posters/<id> (public, like the films' other details).
      if (item.manifest?.poster) await db.query('UPDATE films SET poster_url = $2 WHERE id = $1', [m.id, `/media/posters/${m.id}`])
      await db.query('UPDATE media_jobs SET item_ids = array_append(item_ids, $2), updated_at = now() WHERE id = $1', [jobId, m.id])
      return { previousPath: previous.rows[0]?.media_path ?? null }
    })
  }

  async playable (id: string): Promise<PlayableRow | null> {
    const { rows } = await this.pool.query<PlayableRow>(
      `SELECT f.id, coalesce(m.kind, 'film') AS kind, f.stream_url, f.poster_url, coalesce(m.source, 'demo') AS source, m.media_path,
         coalesce(m.manifest, '{}') AS manifest
       FROM films f LEFT JOIN media_items m ON m.film_id = f.id WHERE f.id = $1 AND m.removed_at IS NULL`, [id])
    return rows[0] ?? null
  }

  /** What garbage collection may touch: this catalog's items, paths and finished jobs. */
  async garbageScope (): Promise<GarbageScope> {
    const [items, jobs] = await Promise.all([
      this.pool.query<{ film_id: string, media_path: string | null }>("SELECT film_id, media_path FROM media_items WHERE source = 'file'"),
      this.pool.query<{ id: string }>("SELECT id FROM media_jobs WHERE status <> 'running'")
    ])
    return {
      referenced: new Set(items.rows.filter((r) => r.media_path).map((r) => r.media_path!)),
      knownItems: new Set(items.rows.map((r) => r.film_id)),
      finishedJobs: new Set(jobs.rows.map((r) => r.id))
    }
  }

  async list (): Promise<Array<{ id: string, kind: MediaKind, title: string, source: string, durationSec: number, bytes: number }>> {
    const { rows } = await this.pool.query<{ id: string, kind: MediaKind, title: string, source: string, source_key: string | null, duration_sec: number, bytes: string }>(
      `SELECT f.id, m.kind, f.title, m.source, m.source_key, f.duration_sec, m.bytes FROM films f JOIN media_items m ON m.film_id = f.id
       WHERE m.removed_at IS NULL ORDER BY m.kind, f.title, f.id`)
    return rows.map((r) => ({ id: r.id, kind: r.kind, title: r.title, source: r.source_key ?? r.source, durationSec: r.duration_sec, bytes: Number(r.bytes) }))
  }

  /** Takes an item out of the catalog (rooms that played it keep their history). Returns its media path. */
  async remove (id: string): Promise<{ found: boolean, mediaPath: string | null }> {
    const { rows } = await this.pool.query<{ media_path: string | null }>(
      `UPDATE media_items SET removed_at = now(), media_path = NULL FROM (SELECT media_path AS old FROM media_items WHERE film_id = $1) o
       WHERE film_id = $1 AND removed_at IS NULL RETURNING o.old AS media_path`, [id])
    if (!rows[0]) return { found: false, mediaPath: null }
    await this.pool.query('DELETE FROM watchlist WHERE film_id = $1', [id])
    return { found: true, mediaPath: rows[0].media_path }
  }

  /** Items that came from files: what a rescan compares with the folders. */
  async fileItems (): Promise<Array<{ id: string, sourceKey: string, fingerprint: string | null }>> {
    const { rows } = await this.pool.query<{ id: string, source_key: string, fingerprint: string | null }>(
      "SELECT film_id AS id, source_key, fingerprint FROM media_items WHERE source = 'file' AND removed_at IS NULL AND source_key IS NOT NULL")
    return rows.map((r) => ({ id: r.id, sourceKey: r.source_key, fingerprint: r.fingerprint }))
  }

  async addSource (location: string, kind: 'folder' | 'file' | 'url') {
    await this.pool.query('INSERT INTO media_sources (location, kind) VALUES ($1, $2) ON CONFLICT (location) DO NOTHING', [location, kind])
  }

  async sources (): Promise<Array<{ location: string, kind: 'folder' | 'file' | 'url' }>> {
    const { rows } = await this.pool.query<{ location: string, kind: 'folder' | 'file' | 'url' }>('SELECT location, kind FROM media_sources ORDER BY added_at, location')
    return rows
  }

  async markScanned (location: string) {
    await this.pool.query('UPDATE media_sources SET scanned_at = now() WHERE location = $1', [location])
  }

  // ---- jobs ----

  async createJob (id: string, input: string, runner: string | null): Promise<MediaJob> {
    const { rows } = await this.pool.query<JobRow>(
      'INSERT INTO media_jobs (id, input, status, runner, heartbeat_at) VALUES ($1, $2, $3, $4, now()) RETURNING *',
      [id, input, runner ? 'running' : 'queued', runner])
    return toJob(rows[0]!)
  }

  async job (id: string): Promise<MediaJob | null> {
    const { rows } = await this.pool.query<JobRow>('SELECT * FROM media_jobs WHERE id = $1', [id])
    return rows[0] ? toJob(rows[0]) : null
  }

  async jobs (limit: number): Promise<MediaJob[]> {
    const { rows } = await this.pool.query<JobRow>('SELECT * FROM media_jobs ORDER BY created_at DESC LIMIT $1', [limit])
    return rows.map(toJob)
  }

  /** Progress doubles as the heartbeat: a running job that stops reporting was killed. */
  async progress (id: string, step: string, progress: number) {
    await this.pool.query(
      "UPDATE media_jobs SET step = $2, progress = $3, heartbeat_at = now(), updated_at = now() WHERE id = $1 AND status = 'running'",
      [id, step, Math.max(0, Math.min(1, progress))])
  }

  async heartbeat (id: string) {
    await this.pool.query("UPDATE media_jobs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'", [id])
  }

  async claim (id: string, runner: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "UPDATE media_jobs SET status = 'running', runner = $2, heartbeat_at = now(), updated_at = now() WHERE id = $1 AND status = 'queued'", [id, runner])
    return rowCount === 1
  }

  async finish (id: string) {
    await this.pool.query("UPDATE media_jobs SET status = 'done', step = NULL, progress = 1, updated_at = now() WHERE id = $1", [id])
  }

  async fail (id: string, code: string, message: string) {
    await this.pool.query("UPDATE media_jobs SET status = 'failed', error_code = $2, error_message = $3, updated_at = now() WHERE id = $1",
      [id, code, message.slice(0, 2000)])
  }

  /**
   * Jobs a killed process left running (no heartbeat for `staleMs`) go back to the queue, to be
   * restarted from the beginning (their staging folder is garbage): a killed ingest restarts cleanly.
   */
  async requeueStale (staleMs: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE media_jobs SET status = 'queued', runner = NULL, step = NULL, progress = 0, updated_at = now()
       WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING id`, [staleMs])
    return rows.map((r) => r.id)
  }

  async queued (): Promise<Array<{ id: string, input: string }>> {
    const { rows } = await this.pool.query<{ id: string, input: string }>("SELECT id, input FROM media_jobs WHERE status = 'queued' ORDER BY created_at")
    return rows
  }
}

export type { Queryable }
