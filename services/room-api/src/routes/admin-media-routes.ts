import { createHash, timingSafeEqual } from 'node:crypto'
import { AddMediaBody, EmptySuccess, ErrorBody, MediaItemParams, MediaJob, MediaJobParams, MediaJobResponse, MediaListResponse } from '@watch-together/protocol'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MediaLibrary } from '../media/media-library.js'
import { mediaErrors, toAppError } from '../media/media-errors.js'
import type { MediaRepository } from '../media/media-repository.js'

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }
const digest = (s: string) => createHash('sha256').update(s).digest()

export interface AdminMediaOptions {
  token: string | undefined
  repo: MediaRepository
  /** Null when this instance runs no ingest (MEDIA_INGEST=false): list and remove still work. */
  library: MediaLibrary | null
}

/**
 * The operator's media API (the `pnpm media` CLI's operations over HTTP): add a file, folder or URL
 * (202 and a job whose progress can be polled), list, remove, rescan. Bearer MEDIA_ADMIN_TOKEN.
 */
export const adminMediaRoutes: FastifyPluginAsyncZod<AdminMediaOptions> = async (app, opts) => {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!opts.token) throw mediaErrors.adminDisabled()
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (!given || !timingSafeEqual(digest(given), digest(opts.token))) throw mediaErrors.adminRequired()
  })
  const secured = { tags: ['admin media'], security: [{ bearer: [] }] }
  const library = () => { if (!opts.library) throw mediaErrors.ingestDisabled(); return opts.library }

  app.post('/admin/media', {
    schema: { ...secured, summary: 'Add a file or folder under the library root, or an HLS/MP4 URL: 202 and the job', body: AddMediaBody, response: { 202: MediaJobResponse, ...fail } }
  }, async (request, reply) => {
    const { job, done } = await library().add(request.body.input).catch((err: unknown) => { throw toAppError(err) })
    done.catch((err: unknown) => request.log.error({ err }, 'media job crashed'))
    reply.code(202)
    return ok({ job })
  })

  app.get('/admin/media/jobs/:jobId', {
    schema: { ...secured, summary: 'One job: status, step, progress (0..1), items, error', params: MediaJobParams, response: { 200: MediaJobResponse, ...fail } }
  }, async (request) => {
    const job = await opts.repo.job(request.params.jobId)
    if (!job) throw mediaErrors.jobNotFound()
    return ok({ job })
  })

  app.get('/admin/media/jobs', {
    schema: { ...secured, summary: 'Recent jobs, newest first', response: { 200: z.object({ success: z.literal(true), errors: z.array(z.never()), jobs: z.array(MediaJob) }), ...fail } }
  }, async () => ok({ jobs: await opts.repo.jobs(100) }))

  app.get('/admin/media', {
    schema: { ...secured, summary: 'The library: every item with its source and size on disk', response: { 200: MediaListResponse, ...fail } }
  }, async () => ok({ items: await opts.repo.list() }))

  app.delete('/admin/media/:itemId', {
    schema: { ...secured, summary: 'Remove an item (its files; past rooms keep their film name)', params: MediaItemParams, response: { 200: EmptySuccess, ...fail } }
  }, async (request) => {
    if (!await library().remove(request.params.itemId)) throw mediaErrors.itemNotFound()
    return ok({})
  })

  app.post('/admin/media/rescan', {
    schema: { ...secured, summary: 'Rescan every folder source (new, changed, gone files); 202, the jobs show in /admin/media/jobs', response: { 202: EmptySuccess, ...fail } }
  }, async (request, reply) => {
    library().rescan().then((r) => request.log.info(r, 'media rescan done'), (err: unknown) => request.log.error({ err }, 'media rescan failed'))
    reply.code(202)
    return ok({})
  })
}
