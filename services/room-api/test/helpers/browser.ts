// A browser as far as room-api's sessions care: a cookie jar (path-scoped, honouring deletions),
// the CSRF token read from its cookie, the access token kept in memory. Requests go through inject.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { uniqueName } from '@watch-together/test-kit'

interface Cookie { value: string, path: string, httpOnly: boolean, sameSite: string | undefined }

export interface Browser {
  /** The jar: name → cookie (as last set). */
  cookies: Map<string, Cookie>
  token: string | undefined
  userId: string | undefined
  /** Any request, with the cookies whose path matches and the bearer token when there is one. */
  call (method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>
  /** The session endpoints (refresh, sign-out) with the CSRF header from the cookie, as the page would send it. */
  withCsrf (url: string): Promise<LightMyRequestResponse>
  signUp (fields?: Partial<{ email: string, password: string, displayName: string, handle: string }>): Promise<LightMyRequestResponse>
  signIn (email: string, password: string): Promise<LightMyRequestResponse>
}

export function createBrowser (app: FastifyInstance, opts: { ip?: string } = {}): Browser {
  const cookies = new Map<string, Cookie>()
  const browser: Browser = {
    cookies,
    token: undefined,
    userId: undefined,
    async call (method, url, body, headers = {}) {
      const path = url.split('?')[0] as string
      const sent = [...cookies].filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      const res = await app.inject({
        method,
        url,
        ...(opts.ip ? { remoteAddress: opts.ip } : {}),
        headers: {
          ...(sent.length ? { cookie: sent.map(([n, c]) => `${n}=${c.value}`).join('; ') } : {}),
          ...(browser.token ? { authorization: `Bearer ${browser.token}` } : {}),
          ...headers
        },
        ...(body === undefined ? {} : { payload: body as object })
      })
      for (const c of res.cookies as Array<{ name: string, value: string, path?: string, httpOnly?: boolean, sameSite?: string, maxAge?: number, expires?: Date }>) {
        const gone = c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now())
        if (gone) cookies.delete(c.name)
        else cookies.set(c.name, { value: c.value, path: c.path ?? '/', httpOnly: Boolean(c.httpOnly), sameSite: c.sameSite })
      }
      if (res.statusCode < 300 && res.headers['content-type']?.toString().startsWith('application/json')) {
        const json = res.json()
        if (typeof json.token === 'string' && json.user?.id) { browser.token = json.token; browser.userId = json.user.id }
      }
      return res
    },
    async withCsrf (url) {
      const csrf = cookies.get('wt_csrf')?.value
      return await browser.call('POST', url, undefined, csrf ? { 'x-csrf-token': csrf } : {})
    },
    async signUp (fields = {}) {
      return await browser.call('POST', '/api/v1/auth/sign-up', {
        email: fields.email ?? `${uniqueName('u')}@example.test`,
        password: fields.password ?? 'correct horse battery',
        displayName: fields.displayName ?? 'Test Person',
        ...(fields.handle ? { handle: fields.handle } : {})
      })
    },
    async signIn (email, password) {
      return await browser.call('POST', '/api/v1/auth/sign-in', { email, password })
    }
  }
  return browser
}
