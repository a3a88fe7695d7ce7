import { ErrorBody, MeResponse, UpdateProfileBody, UserIdParams } from '@watch-together/protocol'
import type { FastifyError } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { AVATAR_MAX_SIDE } from '../accounts/avatars.js'
import type { ProfilesService } from '../accounts/profiles-service.js'
import type { UsersRepository } from '../accounts/users-repository.js'
import { errors } from '../errors.js'

const fail = { '4xx': ErrorBody, '5xx': ErrorBody }

export interface ProfileRoutesOptions { users: UsersRepository, profiles: ProfilesService, avatarMaxBytes: number }

/** My profile (handle, display name, avatar); anyone's avatar image. */
export const profileRoutes: FastifyPluginAsyncZod<ProfileRoutesOptions> = async (app, { users, profiles, avatarMaxBytes }) => {
  const secured = { tags: ['me'], security: [{ bearer: [] }] }
  const signedIn = [app.authenticate, async (request: { user: { id: string, name: string } }) => { await users.ensure(request.user) }]
  const me = async (id: string) => ({ success: true as const, errors: [], user: await users.me(app.pg, id) })

  // Avatars arrive as the raw image (fetch(url, { method: 'PUT', body: file })): no multipart needed.
  // The declared type only gets the body parsed; the bytes decide (avatars.ts).
  app.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer', bodyLimit: avatarMaxBytes },
    (_request, body, done) => { done(null, body) })

  app.get('/me', {
    onRequest: signedIn,
    schema: { ...secured, summary: 'My profile (with my email; nobody else ever gets it)', response: { 200: MeResponse, ...fail } }
  }, async (request) => me(request.user.id))

  app.patch('/me', {
    onRequest: signedIn,
    schema: { ...secured, summary: 'Change my handle and/or display name (new access tokens carry the new name)', body: UpdateProfileBody, response: { 200: MeResponse, ...fail } }
  }, async (request) => {
    await profiles.update(request.user.id, request.body)
    return me(request.user.id)
  })

  app.put('/me/avatar', {
    onRequest: signedIn,
    bodyLimit: avatarMaxBytes,
    schema: { ...secured, summary: 'Upload my avatar: the image itself as the body (PNG, JPEG, WebP or GIF)', response: { 200: MeResponse, ...fail } },
    // Fastify's own refusals of the body, in this route's terms.
    errorHandler (err: FastifyError, request, reply) {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return app.errorHandler(errors.avatarTooLarge(avatarMaxBytes, AVATAR_MAX_SIDE), request, reply)
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return app.errorHandler(errors.avatarUnsupported(), request, reply)
      return app.errorHandler(err, request, reply)
    }
  }, async (request) => {
    if (!Buffer.isBuffer(request.body)) throw errors.avatarUnsupported()
    await profiles.setAvatar(request.user.id, request.body)
    return me(request.user.id)
  })

  app.delete('/me/avatar', {
    onRequest: signedIn,
    schema: { ...secured, summary: 'Remove my avatar (back to initials)', response: { 200: MeResponse, ...fail } }
  }, async (request) => {
    await profiles.deleteAvatar(request.user.id)
    return me(request.user.id)
  })

  app.get('/users/:userId/avatar', {
    // No response schema: the body is the image itself (errors are the usual envelope).
    schema: { tags: ['people'], summary: "Someone's avatar: their upload or an initials SVG (public, for <img>)", params: UserIdParams }
  }, async (request, reply) => {
    const image = await profiles.avatar(request.params.userId)
    return reply
      .type(image.contentType)
      // Avatar URLs carry the version (?v=), so a version never changes under its URL.
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      // Opened directly, an image (or our SVG) runs nothing and loads nothing.
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .send(image.body)
  })
}
