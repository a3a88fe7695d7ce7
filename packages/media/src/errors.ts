/** Stable codes for refused input and failed work; callers (CLI, admin API) switch on `code`. */
export type MediaErrorCode =
  | 'MEDIA_INPUT_NOT_FOUND'
  | 'MEDIA_OUTSIDE_LIBRARY'
  | 'MEDIA_TOO_LARGE'
  | 'MEDIA_NOT_MEDIA'
  | 'MEDIA_CORRUPT'
  | 'MEDIA_UNSUPPORTED_CODEC'
  | 'MEDIA_URL_UNREACHABLE'
  | 'MEDIA_URL_NOT_STREAMABLE'
  | 'MEDIA_FFMPEG_FAILED'
  | 'MEDIA_CANCELLED'

export class MediaError extends Error {
  constructor (readonly code: MediaErrorCode, message: string) {
    super(message)
    this.name = 'MediaError'
  }
}

export const isMediaError = (err: unknown): err is MediaError => err instanceof MediaError
