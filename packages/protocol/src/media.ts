import { z } from 'zod'
import { FilmId, MediaKind, successEnvelope } from './rooms.js'

/** A subtitle file (WebVTT) a member may show for themselves; never synced to the room. */
export const SubtitleTrack = z.object({
  id: z.string(),
  /** ISO 639 code as the source tagged it (`eng`, `rus`, `en`), or null when untagged. */
  language: z.string().nullable(),
  label: z.string(),
  url: z.string()
})
export type SubtitleTrack = z.infer<typeof SubtitleTrack>

/** An audio track of the HLS stream (its EXT-X-MEDIA entry); a member picks one for themselves. */
export const AudioTrackInfo = z.object({
  id: z.string(),
  language: z.string().nullable(),
  label: z.string(),
  default: z.boolean()
})
export type AudioTrackInfo = z.infer<typeof AudioTrackInfo>

/**
 * How this user plays an item: URLs signed for them, expiring at `expiresAt`. `hlsUrl` for packaged
 * items (adaptive, several renditions and audio tracks); `fileUrl` a progressive file (the demo
 * WebM films, a remote MP4); a remote HLS source has `hlsUrl` pointing at its origin.
 */
export const Playback = z.object({
  itemId: FilmId,
  kind: MediaKind,
  hlsUrl: z.string().nullable(),
  fileUrl: z.string().nullable(),
  posterUrl: z.string().nullable(),
  /** WebVTT index of a thumbnail sprite, for seek previews. */
  thumbnailsUrl: z.string().nullable(),
  subtitles: z.array(SubtitleTrack),
  audioTracks: z.array(AudioTrackInfo),
  expiresAt: z.iso.datetime({ offset: true }),
  /** The same expiry as seconds from this response: clients time their refresh on it (their clock may be off). */
  expiresInSeconds: z.number().int().nonnegative()
})
export type Playback = z.infer<typeof Playback>
export const PlaybackResponse = successEnvelope({ playback: Playback })

// ---- the admin media API (operators; bearer MEDIA_ADMIN_TOKEN) ----

export const MediaJobStatus = z.enum(['queued', 'running', 'done', 'failed'])
export type MediaJobStatus = z.infer<typeof MediaJobStatus>
export const MediaJob = z.object({
  id: z.uuid(),
  input: z.string(),
  status: MediaJobStatus,
  /** 0..1 of the current step; `step` names it (probe, video, audio, subtitles, images, catalog). */
  progress: z.number().min(0).max(1),
  step: z.string().nullable(),
  itemIds: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true })
})
export type MediaJob = z.infer<typeof MediaJob>
export const AddMediaBody = z.strictObject({
  /** A file or folder under the library root (MEDIA_LIBRARY_ROOT), or an http(s) URL of an HLS or MP4 stream. */
  input: z.string().trim().min(1).max(4096)
})
export type AddMediaBody = z.infer<typeof AddMediaBody>
export const MediaJobParams = z.object({ jobId: z.uuid() })
export const MediaItemParams = z.object({ itemId: FilmId })
export const MediaJobResponse = successEnvelope({ job: MediaJob })
export const MediaItemSummary = z.object({
  id: FilmId,
  kind: MediaKind,
  title: z.string(),
  source: z.string(),
  durationSec: z.number().int().positive(),
  bytes: z.number().int().nonnegative()
})
export const MediaListResponse = successEnvelope({ items: z.array(MediaItemSummary) })
