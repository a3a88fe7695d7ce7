import { formatTime } from '../dom.js'
import type { SeekThumbnails } from '../media/seek-thumbnails.js'

/** The current item's seek previews: its sprite index, and its media URLs with the current token. */
export interface PreviewSource { thumbs: SeekThumbnails, mediaUrl: (url: string) => string }

/**
 * The frame at `at` seconds and its time, over the seek slider where the pointer hovers or the
 * thumb is dragged (positioned by its share of the duration; kept inside the slider's ends).
 */
export function SeekPreview ({ source, at, duration }: { source: PreviewSource | null, at: number | null, duration: number }) {
  if (at === null || duration <= 0) return null
  const tile = source?.thumbs.at(at) ?? null
  const share = Math.min(1, Math.max(0, at / duration))
  const half = (tile?.w ?? 48) / 2
  return (
    <div
      id='seek-preview' class='seek-preview' aria-hidden='true' data-time={at.toFixed(1)}
      style={{ left: `clamp(${half}px, ${(share * 100).toFixed(2)}%, calc(100% - ${half}px))` }}
    >
      {tile && (
        <div
          class='seek-preview-frame' data-tile={`${tile.x},${tile.y}`}
          style={{ width: `${tile.w}px`, height: `${tile.h}px`, backgroundImage: `url("${source!.mediaUrl(tile.url)}")`, backgroundPosition: `-${tile.x}px -${tile.y}px` }}
        />
      )}
      <span class='seek-preview-time'>{formatTime(at * 1000)}</span>
    </div>
  )
}
