import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify, SignJWT } from 'jose'
import { UserId } from '@watch-together/protocol'
import { errors } from '../errors.js'
import type { CurrentUser } from '../rooms/rooms-service.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by app.authenticate; routes without it never read it. */
    user: CurrentUser
  }
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer JWT and sets request.user, or answers 401. */
    authenticate: (request: FastifyRequest) => Promise<void>
    /** Mints an HS256 token like the Auth service's (dev sign-in, tests, the benchmark). */
    signUserToken: (user: CurrentUser, ttlSeconds: number) => Promise<string>
  }
}

/** Verified tokens remembered per process (oldest dropped first). */
const VERIFIED_CACHE_SIZE = 10_000

export interface AuthOptions {
  secret: string
  jwksUrl?: string | undefined
  issuer?: string | undefined
  audience?: string | undefined
  nameClaim: string
}

/**
 * Bearer JWTs from the external Auth service: HS256 with a shared secret, or RS256 keys
 * from its JWKS URL. `sub` is the user id; the display name comes from a configurable claim.
 */
async function auth (app: FastifyInstance, opts: AuthOptions) {
  const hsKey = await hmacKey(opts.secret)
  const jwks = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined
  const verifyOptions = {
    algorithms: jwks ? ['RS256'] : ['HS256'],
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    ...(opts.audience ? { audience: opts.audience } : {})
  }

  async function verify (token: string): Promise<JWTPayload> {
    try {
      const { payload } = jwks ? await jwtVerify(token, jwks, verifyOptions) : await jwtVerify(token, hsKey, verifyOptions)
      return payload
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw errors.authExpired()
      throw errors.authInvalid()
    }
  }

  // A client sends the same token on every request until it expires; verifying it once per
  // process (bounded, and never past its `exp`) saves a WebCrypto HMAC or RSA check per request.
  const verified = new Map<string, { user: CurrentUser, expMs: number }>()

  async function userFor (token: string): Promise<CurrentUser> {
    const hit = verified.get(token)
    if (hit && hit.expMs > Date.now()) return hit.user
    if (hit) verified.delete(token)
    const claims = await verify(token)
    const sub = UserId.safeParse(claims.sub)
    if (!sub.success) throw errors.authInvalid()
    const rawName = claims[opts.nameClaim]
    const name = typeof rawName === 'string' && rawName.trim() ? rawName.trim().slice(0, 64) : sub.data.slice(0, 64)
    const user = { id: sub.data, name }
    if (typeof claims.exp === 'number') {
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string)
      verified.set(token, { user, expMs: claims.exp * 1000 })
    }
    return user
  }

  app.decorateRequest('user', null as unknown as CurrentUser)
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const header = request.headers.authorization
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
    if (!match?.[1]) throw errors.authRequired()
    request.user = await userFor(match[1])
  })
  app.decorate('signUserToken', async (user: CurrentUser, ttlSeconds: number) => {
    let jwt = new SignJWT({ [opts.nameClaim]: user.name })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setIssuedAt().setExpirationTime(`${ttlSeconds}s`)
    if (opts.issuer) jwt = jwt.setIssuer(opts.issuer)
    if (opts.audience) jwt = jwt.setAudience(opts.audience)
    return await jwt.sign(hsKey)
  })
}

/** Imported once: handing jose raw bytes would import the key again on every request. */
export async function hmacKey (secret: string) {
  return await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

export const authPlugin = fp(auth, { name: 'room-api-auth', dependencies: ['watch-together-basics'] })
