import { createHash } from 'node:crypto'
import { basename, extname } from 'node:path'
import type { Probe } from './probe.js'
import type { EntryMetadata } from './sources.js'

/** What the catalog stores about an item, from the source's metadata, else tags, else the file name. */
export interface ItemMetadata {
  id: string
  kind: 'film' | 'track'
  title: string
  originalTitle: string | null
  description: string
  year: number | null
  durationSec: number
  genres: string[]
  people: string[]
  languages: string[]
  subtitleLanguages: string[]
  artist: string | null
  album: string | null
  trackNumber: number | null
}

/** "Sintel.2010.720p.mkv" → title "Sintel", year 2010. */
export function parseFileName (path: string): { title: string, year: number | null } {
  const stem = basename(path, extname(path)).replace(/[._]+/g, ' ').trim()
  const m = /^(.*?)[\s([]*((?:19|20)\d{2})\b/.exec(stem)
  if (m && m[1]!.trim()) return { title: m[1]!.trim(), year: Number(m[2]) }
  return { title: stem.replace(/\s+\d{3,4}p\b.*$/i, '').trim() || 'Untitled', year: null }
}

/** A stable catalog id (a films slug): the title's latin letters plus a hash of where it came from. */
export function itemId (title: string, sourceKey: string): string {
  const slug = title.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '')
  const hash = createHash('sha256').update(sourceKey).digest('hex').slice(0, 8)
  return slug ? `${slug}-${hash}` : `item-${hash}`
}

const list = (value: string | undefined) => (value ?? '').split(/[;,/]/).map((s) => s.trim().toLowerCase()).filter(Boolean)
const uniq = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))]

export function describe (probe: Probe, sourceKey: string, from: EntryMetadata = {}): ItemMetadata {
  const kind = probe.video ? 'film' : 'track'
  const t = probe.tags
  const named = parseFileName(sourceKey)
  const title = from.title ?? t.title ?? named.title
  const yearTag = Number(/\b(\d{4})\b/.exec(t.date ?? t.year ?? '')?.[1])
  const year = from.year ?? (yearTag >= 1870 && yearTag <= 2100 ? yearTag : named.year)
  const track = Number(/^\d+/.exec(t.track ?? '')?.[0])
  return {
    id: itemId(title, sourceKey),
    kind,
    title: title.slice(0, 300),
    originalTitle: from.originalTitle ?? null,
    description: from.description ?? t.description ?? t.comment ?? t.synopsis ?? '',
    year,
    durationSec: Math.max(1, Math.round(probe.durationSec)),
    genres: from.genres ?? list(t.genre),
    people: from.people ?? uniq([t.director ?? null, t.composer ?? null, ...(kind === 'film' ? [t.artist ?? null] : [])]),
    languages: uniq(probe.audio.map((a) => a.language)),
    subtitleLanguages: [],
    artist: kind === 'track' ? (t.artist ?? t.album_artist ?? null) : null,
    album: kind === 'track' ? (t.album ?? null) : null,
    trackNumber: kind === 'track' && Number.isInteger(track) && track > 0 ? track : null
  }
}
