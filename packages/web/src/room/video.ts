import { attach } from '@watch-together/client'
import { films as filmsApi } from '../api.js'
import type { AttachedSource } from '../media/attach-source.js'
import { itemPlayer } from '../media/play-item.js'
import type { trackMenu } from '../media/track-menu.js'
import type { RoomSession } from './session.js'

/** Lead time asked with play and seek, so every member starts on the same instant. */
export const LEAD_MS = 300

/**
 * The one place the room's <video> is driven from: the SDK's attach() keeps it on the room's
 * timeline, and each item the room moves to is played by src/media (hls.js, the browser's HLS or the
 * file; this member's audio and subtitle choice in `tracks`). Muted until the user turns the sound on
 * (browsers let muted media start without a click, and a remote play must be able to start it).
 * `onSource` hears of each item attached (the seek preview reads its thumbnails).
 */
export function driveVideo (session: RoomSession, video: HTMLVideoElement, tracks: ReturnType<typeof trackMenu>,
  onSource: (source: AttachedSource | null) => void = () => {}) {
  video.muted = true
  const player = itemPlayer(video, async (id) => (await filmsApi.playback(id)).playback, (source) => { tracks.bind(source); onSource(source) })
  const sync = attach(session.client, video, {
    leadMs: LEAD_MS,
    onItem: (itemId) => {
      const film = itemId ? session.films.get(itemId) : undefined
      if (film?.posterUrl) video.poster = film.posterUrl
      return player.play(itemId ?? undefined)
    }
  })
  /** Stops for good (the page left the room). */
  const release = () => {
    sync.detach()
    video.pause()
    player.clear()
  }
  return { sync, release }
}

/**
 * How far this video is from the room's timeline (positive: ahead), and the honest bound on that:
 * the measured offset plus the clock estimator's error (half the best round trip minus the
 * server's processing time; nothing on this path can know the clock better). Null when there is
 * nothing true to say (not connected, no state, media not ready).
 */
export function syncFacts (session: RoomSession, video: HTMLVideoElement): { offsetMs: number, errorMs: number | null, roundTripMs: number | null, boundMs: number } | null {
  if (!session.open) return null
  const room = session.client.position()
  if (room === null || video.readyState < 2) return null
  const duration = Number.isFinite(video.duration) ? video.duration : 0
  const ideal = duration > 0 ? Math.min(room, duration * 1000) : room
  const offsetMs = Math.round(video.currentTime * 1000 - ideal)
  const now = Date.now()
  const errorMs = session.client.clock.errorBound(now)
  const roundTripMs = session.client.clock.roundTrip(now)
  return { offsetMs, errorMs, roundTripMs, boundMs: Math.ceil(Math.abs(offsetMs) + (errorMs ?? 0)) }
}
