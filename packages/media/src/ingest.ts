import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { MediaError } from './errors.js'
import type { Manifest } from './manifest.js'
import { describe, type ItemMetadata } from './metadata.js'
import { packageAudio, packageVideo, type PackageOptions } from './package-item.js'
import { probe } from './probe.js'
import type { EntryMetadata } from './sources.js'

export interface IngestOptions extends PackageOptions {
  /** Packaged items live in `<dataDir>/items/<id>/<version>/`; work in progress in `<dataDir>/.staging/`. */
  dataDir: string
  /** Names this work's staging folder (the job id): a killed run's leftovers are recognisable. */
  workName: string
  metadata?: EntryMetadata
}

export interface IngestedItem {
  metadata: ItemMetadata
  source: 'file' | 'url'
  /** The absolute path or the URL: the same input replaces its item. */
  sourceKey: string
  fingerprint: string | null
  /** Packaged items: `items/<id>/<version>` under the data dir, and what it holds. */
  mediaPath: string | null
  manifest: Manifest | null
  /** Remote items: how the stream plays. */
  remote: { url: string, type: 'hls' | 'mp4' } | null
}

/**
 * Probes and packages one file. All work happens in a staging folder that becomes the item's
 * version folder by one rename at the end, so a killed ingest never leaves a half item where the
 * server looks; the catalog row (the caller's transaction) is what makes the item visible.
 */
export async function ingestFile (path: string, fingerprint: string, opts: IngestOptions): Promise<IngestedItem> {
  opts.onProgress?.('probe', 0)
  const probed = await probe(path, { signal: opts.signal })
  const metadata = describe(probed, path, opts.metadata)
  const staging = join(opts.dataDir, '.staging', `${opts.workName}-${metadata.id}`)
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  try {
    const manifest = probed.video ? await packageVideo(path, probed, staging, opts) : await packageAudio(path, probed, staging, opts)
    metadata.subtitleLanguages = [...new Set(manifest.subtitles.map((s) => s.language).filter((l): l is string => l !== null))]
    await writeFile(join(staging, 'manifest.json'), JSON.stringify({ ...manifest, metadata }, null, 2))
    const version = `${Date.now().toString(36)}-${opts.workName.slice(0, 8)}`
    const mediaPath = `items/${metadata.id}/${version}`
    await mkdir(dirname(join(opts.dataDir, mediaPath)), { recursive: true })
    await rename(staging, join(opts.dataDir, mediaPath))
    return { metadata, source: 'file', sourceKey: path, fingerprint, mediaPath, manifest, remote: null }
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  }
}

/** A remote HLS or MP4 stream: probed (it must answer and be streamable) and referenced, not copied. */
export async function referenceStream (url: string, opts: { signal?: AbortSignal, metadata?: EntryMetadata, timeoutSec?: number } = {}): Promise<IngestedItem> {
  const probed = await probe(url, opts)
  const type = probed.formatName.includes('hls') ? 'hls' : probed.formatName.includes('mp4') ? 'mp4' : null
  if (!type) throw new MediaError('MEDIA_URL_NOT_STREAMABLE', `${url} is ${probed.formatName}, not an HLS playlist or an MP4 file a browser can stream`)
  const metadata = describe(probed, url, opts.metadata)
  return { metadata, source: 'url', sourceKey: url, fingerprint: null, mediaPath: null, manifest: null, remote: { url, type } }
}

export interface GarbageScope {
  /** Media paths the catalog points at: kept. */
  referenced: Set<string>
  /** Items this catalog knows: only their unreferenced versions are deleted. */
  knownItems: Set<string>
  /** Jobs of this catalog that are not running: their staging folders are leftovers. */
  finishedJobs: Set<string>
}

/**
 * Deletes what a killed or replaced ingest left: staging folders of jobs that no longer run, and
 * versions of known items that no row points at (replaced, removed). Only what this catalog knows
 * is touched: several catalogs (test schemas) may share one data folder.
 */
export async function collectGarbage (dataDir: string, scope: GarbageScope): Promise<string[]> {
  const removed: string[] = []
  const dirs = async (path: string) => (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name)
  for (const name of await dirs(join(dataDir, '.staging'))) {
    if (!scope.finishedJobs.has(name.slice(0, 36))) continue
    await rm(join(dataDir, '.staging', name), { recursive: true, force: true })
    removed.push(`.staging/${name}`)
  }
  for (const id of await dirs(join(dataDir, 'items'))) {
    if (!scope.knownItems.has(id)) continue
    for (const version of await dirs(join(dataDir, 'items', id))) {
      const path = `items/${id}/${version}`
      if (scope.referenced.has(path)) continue
      await rm(join(dataDir, path), { recursive: true, force: true })
      removed.push(path)
    }
  }
  return removed
}
