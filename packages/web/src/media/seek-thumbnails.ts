/**
 * Seek previews: the WebVTT index of an item's thumbnail sprite (packages/media package-item.ts
 * makeSprite: one cue per interval, `thumbnails.jpg#xywh=x,y,w,h`), read once, looked up by time.
 */
export interface Thumbnail { url: string, x: number, y: number, w: number, h: number }
export interface SeekThumbnails { at: (seconds: number) => Thumbnail | null }

interface Cue extends Thumbnail { start: number, end: number }

const TIME = /^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$/
const seconds = (stamp: string): number | null => {
  const m = TIME.exec(stamp.trim())
  if (!m) return null
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number((m[4] ?? '0').padEnd(3, '0')) / 1000
}

/** Parses the index; tile URLs are resolved against `indexUrl` (they are relative to it). */
export function parseThumbnailIndex (vtt: string, indexUrl: string): SeekThumbnails {
  const cues: Cue[] = []
  for (const block of vtt.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '')
    const timing = lines.findIndex((l) => l.includes('-->'))
    if (timing < 0 || !lines[timing + 1]) continue
    const [from, to] = lines[timing]!.split('-->')
    const start = seconds(from ?? '')
    const end = seconds((to ?? '').trim().split(/\s+/)[0] ?? '')
    const [file, fragment] = lines[timing + 1]!.trim().split('#xywh=')
    const box = (fragment ?? '').split(',').map(Number)
    if (start === null || end === null || !file || box.length !== 4 || box.some((n) => !Number.isFinite(n))) continue
    cues.push({ start, end, url: new URL(file, indexUrl).href, x: box[0]!, y: box[1]!, w: box[2]!, h: box[3]! })
  }
  return {
    at: (s) => {
      // Cues are in time order: a binary search for the last one starting at or before s.
      let lo = 0
      let hi = cues.length - 1
      let found: Cue | null = null
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        if (cues[mid]!.start <= s) { found = cues[mid]!; lo = mid + 1 } else hi = mid - 1
      }
      if (!found || (s >= found.end && found !== cues.at(-1))) return null
      const { start: _s, end: _e, ...tile } = found
      return tile
    }
  }
}

/** Fetches and parses an item's index (with the media viewer cookie) and loads its sprite; null when there is none or it fails. */
export async function loadSeekThumbnails (indexUrl: string): Promise<SeekThumbnails | null> {
  try {
    const res = await fetch(indexUrl, { credentials: 'same-origin' })
    if (!res.ok) return null
    const thumbs = parseThumbnailIndex(await res.text(), new URL(indexUrl, location.href).href)
    // The sprite is fetched and decoded before the first hover, so the first preview is not blank.
    const sprite = thumbs.at(0)
    if (sprite) {
      const image = new Image()
      image.src = sprite.url
      await image.decode().catch(() => {})
    }
    return thumbs
  } catch {
    return null
  }
}
