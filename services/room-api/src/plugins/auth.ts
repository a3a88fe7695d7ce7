import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createSigner, createVerifier, TokenError } from 'fast-jwt'
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose'
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
 *
 * HS256 goes through fast-jwt (node:crypto HMAC, synchronous); RS256 with a JWKS goes through
 * jose (key sets fetched, cached and rotated by kid). Why two libraries: on Node 20 jose 6 runs
 * HS256 through WebCrypto, measured here at ~90 µs of CPU per verification and ~80 µs per
 * signature against ~5 µs with node:crypto — a fifth of room-api's CPU per request in the
 * benchmark (README, "Performance").
 */
async function auth (app: FastifyInstance, opts: AuthOptions) {
  const jwks = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined
  // fast-jwt checks iss / aud only when present: requiredClaims makes a configured one mandatory
  // (as jose does, and as the JWKS path below does).
  const required = [...(opts.issuer ? ['iss'] : []), ...(opts.audience ? ['aud'] : [])]
  const claimChecks = {
    ...(opts.issuer ? { allowedIss: opts.issuer } : {}),
    ...(opts.audience ? { allowedAud: opts.audience } : {}),
    ...(required.length > 0 ? { requiredClaims: required } : {})
  }
  const verifyHs256 = createVerifier({ key: opts.secret, algorithms: ['HS256'], ...claimChecks })
  const jwksOptions = {
    algorithms: ['RS256'],
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    ...(opts.audience ? { audience: opts.audience } : {})
  }

  async function verify (token: string): Promise<JWTPayload> {
    if (jwks) {
      try {
        return (await jwtVerify(token, jwks, jwksOptions)).payload
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw errors.authExpired()
        // The key set could not be fetched (refused, timed out, not 200, not a JWKS): the token
        // may well be good, so 503 — a 401 would make clients throw away valid credentials.
        if (jwksUnavailable(err)) throw errors.authUnavailable()
        throw errors.authInvalid()
      }
    }
    try {
      return verifyHs256(token) as JWTPayload
    } catch (err) {
      if (err instanceof TokenError && err.code === TokenError.codes.expired) throw errors.authExpired()
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
  const signHs256 = createSigner({ key: opts.secret, algorithm: 'HS256', ...(opts.issuer ? { iss: opts.issuer } : {}), ...(opts.audience ? { aud: opts.audience } : {}) })
  app.decorate('signUserToken', async (user: CurrentUser, ttlSeconds: number) => {
    return signHs256({ [opts.nameClaim]: user.name, sub: user.id, exp: Math.floor(Date.now() / 1000) + ttlSeconds })
  })
}

/**
 * Errors of fetching the key set, as opposed to a token's own faults: jose's fetch wrapper throws
 * a plain JOSEError for a non-200 or non-JSON answer, JWKSTimeout / JWKSInvalid for a slow or
 * malformed one, and lets the network error (not a JOSEError) through when the server is down.
 */
function jwksUnavailable (err: unknown): boolean {
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) return true
  if (!(err instanceof joseErrors.JOSEError)) return true
  return err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test(err.message)
}

export const authPlugin = fp(auth, { name: 'room-api-auth', dependencies: ['watch-together-basics'] })
