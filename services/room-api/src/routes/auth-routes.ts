import { randomUUID } from 'node:crypto'
import { DevSignInBody, DevSignInResponse, ErrorBody } from '@watch-together/protocol'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { errors } from '../errors.js'

export interface AuthRoutesOptions {
  ttlSeconds: number
  limit: { max: number, timeWindow: number }
}

/** Dev-only sign-in: mints a token like the Auth service's, so the stack works on its own. */
export const devSignInRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, opts) => {
  app.post('/auth/dev-sign-in', {
    schema: {
      tags: ['auth'],
      summary: 'Dev only (DEV_SIGN_IN=true): a bearer token for a name',
      body: DevSignInBody,
      response: { 200: DevSignInResponse, '4xx': ErrorBody }
    },
    config: {
      rateLimit: {
        ...opts.limit,
        keyGenerator: (request) => `sign-in:${request.ip}`,
        errorResponseBuilder: (_request, context) => errors.rateLimited(context.ttl)
      }
    }
  }, async (request) => {
    const user = { id: request.body.userId ?? randomUUID(), name: request.body.name }
    const token = await app.signUserToken(user, opts.ttlSeconds)
    const expiresAt = new Date(Date.now() + opts.ttlSeconds * 1000).toISOString()
    return { success: true as const, errors: [], token, user, expiresAt }
  })
}
