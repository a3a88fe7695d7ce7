import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  collectGarbage, FolderSource, ingestFile, isInside, isMediaError, MediaError, type IngestedItem, probe, referenceStream, resolveInput, type SourceEntry
} from '@watch-together/media'
import type { MediaJob } from '@watch-together/protocol'
import type { MediaRepository } from './media-repository.js'

export interface MediaLibraryOptions {
  repo: MediaRepository
  /** Operators' originals: inputs must resolve inside it. */
  libraryRoot: string
  /** Packaged items: `items/<id>/<version>/`, work in progress in `.staging/`. */
  dataDir: string
  maxBytes: number
  /** Who runs jobs here (`room-api:<host>:<pid>`, `cli:<pid>`): written on the job row. */
  runner: string
  /** A running job whose heartbeat is older than this was killed and is restarted. */
  staleMs?: number
  preset?: string
  segmentSec?: number
  log?: { info: (obj: object, msg: string) => void, warn: (obj: object, msg: string) => void }
}

export type ProgressListener = (step: string, fraction: number, detail: string) => void

/**
 * Ingest jobs and the sources they come from. One job at a time per process (ffmpeg already uses
 * every core); state lives in PostgreSQL, so the CLI and room-api's admin API see the same jobs.
 */
export class MediaLibrary {
  private chain: Promise<unknown> = Promise.resolve()
  private readonly controller = new AbortController()
  private readonly running = new Set<string>()

  constructor (private readonly opts: MediaLibraryOptions) {}

  /**
   * Checks the input now (path, size, what it is: bad input is refused here, before any job exists)
   * and queues its job; `done` settles when the job ends (failed jobs resolve, with their error).
   */
  async add (input: string, onProgress?: ProgressListener): Promise<{ job: MediaJob, done: Promise<MediaJob> }> {
    const resolved = await resolveInput(input, { libraryRoot: this.opts.libraryRoot, maxBytes: this.opts.maxBytes })
    const key = resolved.kind === 'url' ? resolved.url : resolved.path
    // Probe now, so what is not media (or not streamable) is refused before a job exists.
    if (resolved.kind === 'url') await referenceStream(resolved.url, { signal: this.controller.signal })
    if (resolved.kind === 'file') await probe(resolved.path, { signal: this.controller.signal })
    const job = await this.opts.repo.createJob(randomUUID(), key, null)
    return { job, done: this.enqueue(job.id, key, onProgress) }
  }

  /** Queued jobs (and running jobs a killed process left) start again, from the beginning. */
  async recover (onProgress?: ProgressListener): Promise<Array<Promise<MediaJob>>> {
    await this.opts.repo.requeueStale(this.opts.staleMs ?? 30_000)
    await this.collectGarbage()
    return (await this.opts.repo.queued()).map((j) => this.enqueue(j.id, j.input, onProgress))
  }

  /**
   * Every folder source again: new and changed files are ingested, items whose file is gone
   * leave the catalog. Returns what changed.
   */
  async rescan (onProgress?: ProgressListener): Promise<{ added: string[], removed: string[], failed: Array<{ path: string, code: string }> }> {
    const result = { added: [] as string[], removed: [] as string[], failed: [] as Array<{ path: string, code: string }> }
    const known = await this.opts.repo.fileItems()
    for (const source of await this.opts.repo.sources()) {
      if (source.kind === 'url') continue
      const seen = new Set<string>()
      const entries = source.kind === 'folder' ? await collect(new FolderSource(source.location).entries()).catch(() => []) : []
      if (source.kind === 'file') seen.add(source.location)
      for (const entry of entries) {
        if (entry.kind !== 'file') continue
        seen.add(entry.path)
        const item = known.find((k) => k.sourceKey === entry.path)
        if (item && item.fingerprint === entry.fingerprint) continue
        const job = await this.opts.repo.createJob(randomUUID(), entry.path, null)
        const done = await this.enqueue(job.id, entry.path, onProgress)
        if (done.status === 'done') result.added.push(...done.itemIds)
        else result.failed.push({ path: entry.path, code: done.error?.code ?? 'MEDIA_FAILED' })
      }
      for (const item of known) {
        if (source.kind === 'folder' && isInside(source.location, item.sourceKey) && !seen.has(item.sourceKey)) {
          await this.remove(item.id)
          result.removed.push(item.id)
        }
      }
      await this.opts.repo.markScanned(source.location)
    }
    return result
  }

  async remove (id: string): Promise<boolean> {
    const { found, mediaPath } = await this.opts.repo.remove(id)
    if (mediaPath) await rm(join(this.opts.dataDir, mediaPath), { recursive: true, force: true })
    return found
  }

  async collectGarbage (): Promise<string[]> {
    return await collectGarbage(this.opts.dataDir, await this.opts.repo.garbageScope())
  }

  /** Stops the running ffmpeg (its job is left to be restarted) and waits for the queue to settle. */
  async close () {
    this.controller.abort()
    await this.chain.catch(() => {})
  }

  private enqueue (jobId: string, input: string, onProgress?: ProgressListener): Promise<MediaJob> {
    const run = this.chain.then(() => this.run(jobId, input, onProgress))
    this.chain = run.catch(() => {})
    return run
  }

  private async run (jobId: string, input: string, onProgress?: ProgressListener): Promise<MediaJob> {
    const { repo } = this.opts
    if (!await repo.claim(jobId, this.opts.runner)) return (await repo.job(jobId))!
    this.running.add(jobId)
    let lastWrite = 0
    let label = input
    const progress = (step: string, fraction: number) => {
      onProgress?.(step, fraction, label)
      const now = Date.now()
      if (now - lastWrite < 500 && fraction < 1) return
      lastWrite = now
      repo.progress(jobId, step, fraction).catch(() => {})
    }
    const heartbeat = setInterval(() => { repo.heartbeat(jobId).catch(() => {}) }, 5000)
    heartbeat.unref()
    const failures: string[] = []
    try {
      const resolved = await resolveInput(input, { libraryRoot: this.opts.libraryRoot, maxBytes: this.opts.maxBytes })
      if (resolved.kind !== 'file') await repo.addSource(resolved.kind === 'url' ? resolved.url : resolved.path, resolved.kind)
      const entries: SourceEntry[] = resolved.kind === 'file'
        ? [{ kind: 'file', path: resolved.path, fingerprint: resolved.fingerprint }]
        : resolved.kind === 'folder' ? await collect(new FolderSource(resolved.path).entries()) : [{ kind: 'stream', url: resolved.url }]
      // A folder added again ingests only what is new or changed since (same fingerprint: skipped).
      const known = resolved.kind === 'folder' ? new Map((await repo.fileItems()).map((k) => [k.sourceKey, k.fingerprint])) : new Map()
      for (const entry of entries) {
        if (entry.kind === 'file' && known.get(entry.path) === entry.fingerprint) continue
        label = entry.kind === 'file' ? entry.path : entry.url
        try {
          const item = await this.ingest(entry, jobId, progress)
          progress('catalog', 0)
          const { previousPath } = await repo.upsertItem(item, jobId)
          if (previousPath && previousPath !== item.mediaPath) await rm(join(this.opts.dataDir, previousPath), { recursive: true, force: true })
        } catch (err) {
          if (resolved.kind !== 'folder' || (isMediaError(err) && err.code === 'MEDIA_CANCELLED')) throw err
          failures.push(`${label}: ${isMediaError(err) ? err.code : 'MEDIA_FAILED'} ${(err as Error).message}`)
        }
      }
      if (failures.length) await repo.fail(jobId, 'MEDIA_SOME_FAILED', `${failures.length} of ${entries.length} files failed: ${failures.join('; ')}`)
      else await repo.finish(jobId)
    } catch (err) {
      if (isMediaError(err) && err.code === 'MEDIA_CANCELLED') {
        // This process is stopping: the job stays "running" until its heartbeat is stale, then restarts.
        this.opts.log?.warn({ jobId }, 'media job interrupted; it restarts on the next recovery')
      } else {
        const code = isMediaError(err) ? err.code : 'MEDIA_FAILED'
        await repo.fail(jobId, code, (err as Error).message)
        this.opts.log?.warn({ jobId, code, err }, 'media job failed')
      }
    } finally {
      clearInterval(heartbeat)
      this.running.delete(jobId)
    }
    return (await repo.job(jobId))!
  }

  private async ingest (entry: SourceEntry, jobId: string, progress: (step: string, fraction: number) => void): Promise<IngestedItem> {
    const signal = this.controller.signal
    if (entry.kind === 'stream') return await referenceStream(entry.url, { signal, metadata: entry.metadata })
    return await ingestFile(entry.path, entry.fingerprint, {
      dataDir: this.opts.dataDir, workName: jobId, signal, metadata: entry.metadata, onProgress: progress, preset: this.opts.preset, segmentSec: this.opts.segmentSec
    })
  }
}

async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

export { MediaError }
