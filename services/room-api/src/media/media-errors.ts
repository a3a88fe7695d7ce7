import { AppError } from '@watch-together/service-kit'
import { isMediaError } from '@watch-together/media'

/** HTTP status for each ingest refusal (packages/media's codes). */
const STATUS: Record<string, number> = {
  MEDIA_INPUT_NOT_FOUND: 404,
  MEDIA_OUTSIDE_LIBRARY: 403,
  MEDIA_TOO_LARGE: 413,
  MEDIA_NOT_MEDIA: 422,
  MEDIA_CORRUPT: 422,
  MEDIA_UNSUPPORTED_CODEC: 422,
  MEDIA_URL_NOT_STREAMABLE: 422,
  MEDIA_URL_UNREACHABLE: 502,
  MEDIA_FFMPEG_FAILED: 500,
  MEDIA_CANCELLED: 503
}

/** A packages/media error as the API's error (same stable code); anything else passes through. */
export function toAppError (err: unknown): unknown {
  if (!isMediaError(err)) return err
  return new AppError(err.code, STATUS[err.code] ?? 500, err.message)
}

export const mediaErrors = {
  adminRequired: () => new AppError('MEDIA_ADMIN_REQUIRED', 401, 'the admin media API needs Authorization: Bearer <MEDIA_ADMIN_TOKEN>'),
  adminDisabled: () => new AppError('MEDIA_ADMIN_DISABLED', 404, 'the admin media API is off (MEDIA_ADMIN_TOKEN is unset)'),
  ingestDisabled: () => new AppError('MEDIA_INGEST_DISABLED', 503, 'this instance does not run ingest jobs (MEDIA_INGEST=false)'),
  jobNotFound: () => new AppError('MEDIA_JOB_NOT_FOUND', 404, 'no such job'),
  itemNotFound: () => new AppError('MEDIA_ITEM_NOT_FOUND', 404, 'no such item in the library'),
  urlRefused: (code: 'MEDIA_URL_INVALID' | 'MEDIA_URL_EXPIRED' | 'MEDIA_URL_OTHER_USER') => new AppError(code, 403, {
    MEDIA_URL_INVALID: 'this media URL is not valid (tampered or for another item)',
    MEDIA_URL_EXPIRED: 'this media URL has expired; ask for a new one (GET /api/v1/films/:id/playback)',
    MEDIA_URL_OTHER_USER: 'this media URL was issued to someone else'
  }[code]),
  fileNotFound: () => new AppError('MEDIA_FILE_NOT_FOUND', 404, 'no such media file')
}
