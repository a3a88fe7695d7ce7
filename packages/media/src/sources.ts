import { readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { MEDIA_EXTENSIONS } from './probe.js'

/**
 * Where items come from (the original design's "repositories"). A source lists what it offers
 * now; the library ingests new and changed entries and removes items whose entry is gone. To add
 * one (e.g. an external movie catalog service), implement `entries()`: yield `file` entries for
 * media to package locally, or `stream` entries for HLS/MP4 URLs to reference, with any metadata
 * the service knows (it wins over tags). See docs/media.md.
 */
export interface MediaSource {
  /** A stable key: the folder's path, the service's base URL. */
  readonly location: string
  entries: () => AsyncIterable<SourceEntry>
}

export interface EntryMetadata {
  title?: string
  originalTitle?: string
  description?: string
  year?: number
  genres?: string[]
  people?: string[]
}

export type SourceEntry =
  | { kind: 'file', path: string, fingerprint: string, metadata?: EntryMetadata }
  | { kind: 'stream', url: string, metadata?: EntryMetadata }

/** A local folder, walked recursively; hidden entries and non-media files are skipped. */
export class FolderSource implements MediaSource {
  constructor (readonly location: string) {}

  async * entries (): AsyncIterable<SourceEntry> {
    const names = (await readdir(this.location, { withFileTypes: true, recursive: true }))
      .filter((e) => e.isFile() && MEDIA_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => join(e.parentPath, e.name))
      .filter((p) => !p.slice(this.location.length).split('/').some((part) => part.startsWith('.')))
      .sort()
    for (const path of names) {
      const info = await stat(path).catch(() => null)
      if (info?.isFile()) yield { kind: 'file', path, fingerprint: `${info.size}:${Math.round(info.mtimeMs)}` }
    }
  }
}

/** One remote stream an operator added: referenced, never copied. */
export class UrlSource implements MediaSource {
  constructor (readonly location: string, private readonly metadata?: EntryMetadata) {}

  async * entries (): AsyncIterable<SourceEntry> {
    yield { kind: 'stream', url: this.location, metadata: this.metadata }
  }
}
