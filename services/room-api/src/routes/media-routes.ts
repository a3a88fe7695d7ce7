import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import { checkGrant, type Manifest, signGrant, signViewer } from '@watch-together/media'
import { ErrorBody, FilmIdParams, type Playback, PlaybackResponse } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { errors } from '../errors.js'
import { mediaErrors } from '../media/media-errors.js'
import type { MediaRepository, PlayableRow } from '../media/media-repository.js'

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }
/** The viewer cookie: sent with every media request of this origin (video elements cannot send headers). */
export const VIEWER_COOKIE = 'wt_media'

export interface MediaRoutesOptions {
  repo: MediaRepository
  secret: string
  ttlSeconds: number
  dataDir: string
  cookieSecure: boolean
}

/** `GET /api/v1/films/:filmId/playback`: signed URLs for the signed-in user (under /api/v1). */
export const playbackRoutes: FastifyPluginAsyncZod<MediaRoutesOptions> = async (app, opts) => {
  app.get('/films/:filmId/playback', {
    onRequest: app.authenticate,
    schema: {
      tags: ['catalog'],
      security: [{ bearer: [] }],
      summary: 'How I play an item: HLS or file URLs signed for me (expiring), subtitles, audio tracks; sets the media viewer cookie',
      params: FilmIdParams,
      response: { 200: PlaybackResponse, ...fail }
    }
  }, async (request, reply) => {
    const row = await opts.repo.playable(request.params.filmId)
    if (!row) throw errors.filmNotFound()
    // Whole seconds, as the token carries them: the expiry a client is told is the one checked.
    const expiresAt = Math.floor((Date.now() + opts.ttlSeconds * 1000) / 1000) * 1000
    reply.setCookie(VIEWER_COOKIE, signViewer(opts.secret, request.user.id), {
      path: '/media/', httpOnly: true, sameSite: 'strict', secure: opts.cookieSecure, maxAge: opts.ttlSeconds
    })
    reply.header('cache-control', 'no-store')
    return ok({ playback: playbackFor(row, signGrant(opts.secret, { userId: request.user.id, itemId: row.id, expiresAt }), expiresAt) })
  })
}

export function playbackFor (row: PlayableRow, token: string, expiresAt: number): Playback {
  const base = {
    itemId: row.id,
    kind: row.kind,
    posterUrl: row.poster_url,
    expiresAt: new Date(expiresAt).toISOString(),
    expiresInSeconds: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000))
  }
  if (row.source === 'file' && row.media_path) {
    const m = row.manifest as Manifest
    const version = row.media_path.split('/').at(-1)!
    const prefix = `/media/v/${token}/${row.id}/${version}`
    return {
      ...base,
      hlsUrl: `${prefix}/${m.hls}`,
      fileUrl: null,
      thumbnailsUrl: m.thumbnails ? `${prefix}/${m.thumbnails}` : null,
      subtitles: m.subtitles.map((s) => ({ id: s.id, language: s.language, label: s.label, url: `${prefix}/${s.file}` })),
      audioTracks: m.audioTracks
    }
  }
  const remote = row.manifest.remote
  return {
    ...base,
    hlsUrl: remote?.type === 'hls' ? remote.url : null,
    fileUrl: remote?.type === 'hls' ? null : row.stream_url,
    thumbnailsUrl: null,
    subtitles: [],
    audioTracks: []
  }
}

const SEGMENT = /^[a-z0-9][a-z0-9._-]{0,80}$/i

/**
 * The packaged files, through @fastify/static (Range, ETag, Last-Modified): under a signed path
 * only (`/media/v/<token>/<item>/<version>/<file>`), plus the posters the catalog shows (public).
 * Files of a version never change (a re-ingest writes a new version), so they are cached as
 * immutable for as long as the URL lives; privately, as the URL is someone's.
 */
export async function mediaFileRoutes (app: FastifyInstance, opts: MediaRoutesOptions) {
  await app.register(fastifyStatic, { root: opts.dataDir, serve: false, cacheControl: false, acceptRanges: true, index: false })

  app.get<{ Params: { token: string, itemId: string, version: string, '*': string } }>('/media/v/:token/:itemId/:version/*', { schema: { hide: true } }, async (request, reply) => {
    const { token, itemId, version } = request.params
    const rest = request.params['*']
    const check = checkGrant(opts.secret, token, itemId, request.cookies[VIEWER_COOKIE])
    if (!check.ok) throw mediaErrors.urlRefused(check.code)
    const parts = rest.split('/')
    if (!SEGMENT.test(itemId) || !SEGMENT.test(version) || parts.length > 2 || !parts.every((p) => SEGMENT.test(p) && p !== '..')) throw mediaErrors.fileNotFound()
    const maxAge = Math.max(0, Math.min(86_400, Math.floor((check.grant.expiresAt - Date.now()) / 1000)))
    reply.header('cache-control', `private, max-age=${maxAge}, immutable`)
    if (rest.endsWith('.m4s')) reply.type('video/iso.segment')
    return reply.sendFile(join('items', itemId, version, ...parts))
  })

  app.get<{ Params: { itemId: string } }>('/media/posters/:itemId', { schema: { hide: true } }, async (request, reply) => {
    const row = SEGMENT.test(request.params.itemId) ? await opts.repo.playable(request.params.itemId) : null
    if (!row?.media_path || !(row.manifest as Manifest).poster) throw mediaErrors.fileNotFound()
    reply.header('cache-control', 'public, max-age=86400')
    return reply.sendFile(join(row.media_path, (row.manifest as Manifest).poster!))
  })
}
