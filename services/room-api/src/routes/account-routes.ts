import {
  ChangePasswordBody, ErrorBody, ProvidersResponse, SessionResponse, SignInBody, SignOutResponse, SignUpBody
} from '@watch-together/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { AccountsService, Opened } from '../accounts/accounts-service.js'
import { clearSessionCookies, type CookieOptions, sessionCredentials, setSessionCookies } from '../accounts/session-cookies.js'
import type { SessionStore } from '../accounts/session-store.js'
import type { UsersRepository } from '../accounts/users-repository.js'
import { errors } from '../errors.js'

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }
type Limit = { max: number, timeWindow: number }

export interface AccountRoutesOptions {
  /** ACCOUNTS: off → every route here but /auth/providers answers ROOM_ACCOUNTS_DISABLED. */
  enabled: boolean
  accounts: AccountsService
  sessions: SessionStore
  users: UsersRepository
  accessTtlSeconds: number
  cookies: CookieOptions
  devSignIn: boolean
  telegramBotName: string | undefined
  limits: { signIn: Limit, signUp: Limit }
}

/** A per-address request limit for an unauthenticated endpoint (the sign-in throttle is separate). */
export function perAddress (name: string, limit: Limit) {
  return {
    rateLimit: {
      ...limit,
      keyGenerator: (request: FastifyRequest) => `${name}:${request.ip}`,
      errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) => errors.rateLimited(context.ttl)
    }
  }
}

/** Turns an opened session into the response: a fresh access token, the profile, the cookies. */
export async function sessionReply (app: FastifyInstance, reply: FastifyReply, opened: Opened, opts: Pick<AccountRoutesOptions, 'users' | 'accessTtlSeconds' | 'cookies'>) {
  const user = await opts.users.me(app.pg, opened.userId)
  const token = await app.signUserToken({ id: user.id, name: user.displayName }, opts.accessTtlSeconds)
  setSessionCookies(reply, opened.tokens, opts.cookies)
  const expiresAt = new Date(Date.now() + opts.accessTtlSeconds * 1000).toISOString()
  return ok({ token, expiresAt, csrfToken: opened.tokens.csrfToken, user })
}

/** Sign-up, sign-in, refresh, sign-out (here and everywhere), password change. */
export const accountRoutes: FastifyPluginAsyncZod<AccountRoutesOptions> = async (app, opts) => {
  const { accounts, sessions } = opts
  const tags = ['auth']
  const secured = { tags, security: [{ bearer: [] }] }
  const cookieAuth = { tags, security: [{ refreshCookie: [], csrfHeader: [] }] }
  const requireAccounts = async () => { if (!opts.enabled) throw errors.accountsDisabled() }

  app.get('/auth/providers', {
    schema: { tags, summary: 'Which ways to sign in are on (Telegram: the bot name for its Login Widget)', response: { 200: ProvidersResponse, ...fail } }
  }, async () => ok({ password: opts.enabled, telegram: opts.telegramBotName ? { botName: opts.telegramBotName } : null, devSignIn: opts.devSignIn }))

  app.post('/auth/sign-up', {
    onRequest: requireAccounts,
    config: perAddress('sign-up', opts.limits.signUp),
    schema: { tags, summary: 'Create an account (email, password, display name, optional handle) and sign in', body: SignUpBody, response: { 201: SessionResponse, ...fail } }
  }, async (request, reply) => {
    const opened = await accounts.signUp(request.body)
    return reply.code(201).send(await sessionReply(app, reply, opened, opts))
  })

  app.post('/auth/sign-in', {
    onRequest: requireAccounts,
    config: perAddress('password-sign-in', opts.limits.signIn),
    schema: { tags, summary: 'Sign in with email and password', body: SignInBody, response: { 200: SessionResponse, ...fail } }
  }, async (request, reply) => sessionReply(app, reply, await accounts.signIn(request.body, request.ip, reply), opts))

  app.post('/auth/refresh', {
    onRequest: requireAccounts,
    schema: { ...cookieAuth, summary: 'A new access token for the refresh cookie (rotated; x-csrf-token required)', response: { 200: SessionResponse, ...fail } }
  }, async (request, reply) => {
    const { refreshToken, csrfToken } = sessionCredentials(request)
    try {
      return await sessionReply(app, reply, await sessions.rotate(refreshToken, csrfToken), opts)
    } catch (err) {
      // A dead session's cookies are cleared; a CSRF refusal changes nothing, cookies included.
      if (errorCode(err) !== 'ROOM_CSRF_FAILED') clearSessionCookies(reply, opts.cookies.secure)
      throw err
    }
  })

  app.post('/auth/sign-out', {
    onRequest: requireAccounts,
    schema: { ...cookieAuth, summary: "End this browser's session (x-csrf-token required when a session cookie is sent)", response: { 200: SignOutResponse, ...fail } }
  }, async (request, reply) => {
    const { refreshToken, csrfToken } = sessionCredentials(request)
    const revokedSessions = await sessions.signOut(refreshToken, csrfToken)
    clearSessionCookies(reply, opts.cookies.secure)
    return ok({ revokedSessions })
  })

  app.post('/auth/sign-out-everywhere', {
    onRequest: [requireAccounts, app.authenticate],
    schema: { ...secured, summary: 'End every session of mine (access tokens already issued live until they expire)', response: { 200: SignOutResponse, ...fail } }
  }, async (request, reply) => {
    const revokedSessions = await accounts.signOutEverywhere(request.user.id)
    clearSessionCookies(reply, opts.cookies.secure)
    return ok({ revokedSessions })
  })

  app.post('/auth/change-password', {
    onRequest: [requireAccounts, app.authenticate],
    schema: { ...secured, summary: 'Change my password: every session ends, a new one starts here', body: ChangePasswordBody, response: { 200: SessionResponse, ...fail } }
  }, async (request, reply) => sessionReply(app, reply, await accounts.changePassword(request.user.id, request.body, request.ip, reply), opts))
}

function errorCode (err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined
}
