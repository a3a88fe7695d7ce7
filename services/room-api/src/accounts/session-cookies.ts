import { AUTH_COOKIES, CSRF_HEADER } from '@watch-together/protocol'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SessionTokens } from './session-store.js'

/** Only the auth endpoints ever receive the refresh token: no other request carries it. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth'

export interface CookieOptions { secure: boolean, maxAgeSeconds: number }

/**
 * The refresh token goes in an httpOnly cookie (script cannot read it, so XSS cannot carry it off);
 * the CSRF token in a readable one (the page echoes it in x-csrf-token after a reload). Both
 * SameSite=Strict: a cross-site request carries neither. The access token never goes in a cookie —
 * it travels as a bearer header, which no forged request can add — so the API itself needs no CSRF
 * check; only refresh and sign-out, which the cookie authenticates, do.
 */
export function setSessionCookies (reply: FastifyReply, tokens: SessionTokens, opts: CookieOptions) {
  const common = { sameSite: 'strict' as const, secure: opts.secure, maxAge: opts.maxAgeSeconds }
  reply.setCookie(AUTH_COOKIES.refresh, tokens.refreshToken, { ...common, httpOnly: true, path: REFRESH_COOKIE_PATH })
  reply.setCookie(AUTH_COOKIES.csrf, tokens.csrfToken, { ...common, httpOnly: false, path: '/' })
  // Responses carrying credentials are never stored by a cache.
  reply.header('cache-control', 'no-store')
}

export function clearSessionCookies (reply: FastifyReply, secure: boolean) {
  reply.clearCookie(AUTH_COOKIES.refresh, { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure })
  reply.clearCookie(AUTH_COOKIES.csrf, { path: '/', sameSite: 'strict', secure })
}

/** The refresh cookie and the CSRF header of a request (header arrays, a confused client's, count as absent). */
export function sessionCredentials (request: FastifyRequest) {
  const header = request.headers[CSRF_HEADER]
  return {
    refreshToken: request.cookies[AUTH_COOKIES.refresh],
    csrfToken: typeof header === 'string' ? header : undefined
  }
}
