// The page's session handling without a browser (document.cookie, localStorage, Web Locks, the tabs'
// BroadcastChannel and fetch are stand-ins): a reload restores an account session through the refresh
// cookie + CSRF header; an expired access token is refreshed once — under the lock — and the call
// repeated; a refused refresh ends the session and says why; other tabs' refreshes and sign-outs are
// followed; dev sessions stay in localStorage.
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'

interface Call { url: string, method: string, headers: Record<string, string>, credentials: string | undefined }
const calls: Call[] = []
let respond: (call: Call) => { status: number, body: unknown } = () => ({ status: 500, body: {} })
const cookie = { value: '' }
const store = new Map<string, string>()
let locksTaken = 0

class FakeChannel {
  static all: FakeChannel[] = []
  sent: unknown[] = []
  private listeners: Array<(event: { data: unknown }) => void> = []
  constructor (readonly name: string) { FakeChannel.all.push(this) }
  addEventListener (_type: string, fn: (event: { data: unknown }) => void) { this.listeners.push(fn) }
  postMessage (message: unknown) { this.sent.push(message) }
  /** A message from another tab. */
  deliver (data: unknown) { for (const fn of this.listeners) fn({ data }) }
}

const g = globalThis as Record<string, unknown>
g.document = { get cookie () { return cookie.value } }
g.localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => { store.set(k, v) }, removeItem: (k: string) => { store.delete(k) } }
g.BroadcastChannel = FakeChannel
let chain: Promise<unknown> = Promise.resolve()
Object.defineProperty(globalThis, 'navigator', {
  configurable: true,
  value: {
    locks: {
      // One holder at a time, like the Web Locks API.
      request: (name: string, fn: () => Promise<unknown>) => {
        if (name !== 'wt-refresh') throw new Error(`unexpected lock ${name}`)
        locksTaken++
        const run = chain.then(fn)
        chain = run.catch(() => {})
        return run
      }
    }
  }
})
g.fetch = async (url: string, init: { method?: string, headers?: Record<string, string>, credentials?: string } = {}) => {
  const call = { url, method: init.method ?? 'GET', headers: init.headers ?? {}, credentials: init.credentials }
  calls.push(call)
  await new Promise((resolve) => setTimeout(resolve, 5))
  const { status, body } = respond(call)
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

const session = await import('../src/session.js')
const { api } = await import('../src/api.js')

const user = { id: 'u-1', handle: 'vasily', displayName: 'Vasily', avatarUrl: '/api/v1/users/u-1/avatar?v=0' }
const answer = (token: string) => ({ success: true, errors: [], token, expiresAt: new Date(Date.now() + 900_000).toISOString(), csrfToken: 'csrf-1', user })
const refused = (code: string, status = 401) => ({ status, body: { success: false, errors: [{ code, message: code }] } })
const changes: string[] = []
session.onSessionChange((_s, change) => changes.push(change))
t.teardown(() => session.clearSession())

t.test('a reload restores the account session with the refresh cookie and the CSRF header', async (t) => {
  cookie.value = 'theme=dark; wt_csrf=csrf-1'
  respond = (call) => call.url === '/api/v1/auth/refresh' ? { status: 200, body: answer('A1') } : { status: 404, body: {} }
  const restored = await session.restoreSession()
  t.equal(restored?.token, 'A1')
  t.equal(restored?.kind, 'account')
  t.same(restored?.user, { id: 'u-1', name: 'Vasily', handle: 'vasily', avatarUrl: '/api/v1/users/u-1/avatar?v=0' })
  t.match(calls.at(-1), { url: '/api/v1/auth/refresh', method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': 'csrf-1' } })
  t.equal(locksTaken, 1, 'under the lock')
  t.equal(store.get('wt.session'), undefined, 'the access token is never stored')
  t.match(FakeChannel.all[0]?.sent.at(-1), { type: 'session', session: { token: 'A1' } }, 'told to the other tabs')
})

t.test('an expired access token is refreshed once, and every refused call repeated with the new one', async (t) => {
  calls.length = 0
  let refreshes = 0
  respond = (call) => {
    if (call.url === '/api/v1/auth/refresh') { refreshes++; return { status: 200, body: answer('A2') } }
    if (call.headers.authorization === 'Bearer A1') return refused('ROOM_AUTH_EXPIRED')
    return { status: 200, body: { success: true, errors: [], who: call.headers.authorization } }
  }
  const [one, two] = await Promise.all([api<{ who: string }>('GET', '/me'), api<{ who: string }>('GET', '/me/friends')])
  t.equal(one.who, 'Bearer A2')
  t.equal(two.who, 'Bearer A2')
  t.equal(refreshes, 1, 'two refused calls, one refresh')
  t.equal(session.loadSession()?.token, 'A2')
  t.same(calls.map((c) => c.url), ['/api/v1/me', '/api/v1/me/friends', '/api/v1/auth/refresh', '/api/v1/me', '/api/v1/me/friends'])
})

t.test('a refused refresh ends the session and says why', async (t) => {
  changes.length = 0
  respond = (call) => call.url === '/api/v1/auth/refresh' ? refused('ROOM_REFRESH_REUSED') : refused('ROOM_AUTH_EXPIRED')
  await t.rejects(api('GET', '/me'), { status: 401, code: 'ROOM_AUTH_EXPIRED' })
  t.equal(session.loadSession(), null)
  t.same(changes, ['expired'])
  t.equal(session.takeEndReason(), 'ROOM_REFRESH_REUSED')
  t.equal(session.takeEndReason(), null, 'once')

  // The server is unreachable: not an ended session, a failure that may pass.
  cookie.value = 'wt_csrf=csrf-1'
  const failing = g.fetch
  g.fetch = async () => { throw new TypeError('Failed to fetch') }
  const err = await session.refreshSession().catch((e: unknown) => e)
  t.ok(err instanceof session.RefreshUnavailable, 'RefreshUnavailable')
  t.ok(session.loadSession() === null && !changes.includes('signed-out'), 'nothing more ended')
  g.fetch = failing
})

t.test('other tabs: a refresh is adopted, a sign-out followed; signing out here tells them', async (t) => {
  const tabs = FakeChannel.all[0]!
  changes.length = 0
  tabs.deliver({ type: 'session', session: { token: 'B1', expiresAt: new Date(Date.now() + 900_000).toISOString(), kind: 'account', user: { id: 'u-1', name: 'Vasily' } } })
  t.equal(session.loadSession()?.token, 'B1')
  tabs.deliver({ type: 'session', session: { token: 'B2', expiresAt: new Date(Date.now() + 900_000).toISOString(), kind: 'account', user: { id: 'u-1', name: 'Vasily' } } })
  t.same(changes, ['signed-in', 'refreshed'], 'the first makes this tab signed in, the next is a refresh')

  // A refresh this tab waited for while another did it is not repeated.
  calls.length = 0
  tabs.deliver({ type: 'signed-out' })
  t.equal(session.loadSession(), null)
  t.equal(changes.at(-1), 'signed-out')

  session.saveSession({ token: 'C1', expiresAt: new Date(Date.now() + 900_000).toISOString(), kind: 'account', user: { id: 'u-1', name: 'Vasily' } })
  respond = () => ({ status: 200, body: { success: true, errors: [], revokedSessions: 1 } })
  await session.signOut()
  t.match(calls.at(-1), { url: '/api/v1/auth/sign-out', method: 'POST', headers: { 'x-csrf-token': 'csrf-1' } })
  t.same(tabs.sent.at(-1), { type: 'signed-out' })
  t.equal(session.loadSession(), null)
})

t.test('a refresh that waited for the lock while another tab refreshed uses that tab\'s token', async (t) => {
  session.saveSession({ token: 'D1', expiresAt: new Date(Date.now() + 900_000).toISOString(), kind: 'account', user: { id: 'u-1', name: 'Vasily' } })
  calls.length = 0
  // Another tab holds the lock; while it does, its new token arrives here.
  let release: (() => void) | undefined
  const held = navigatorLocks().request('wt-refresh', () => new Promise<void>((resolve) => { release = resolve }))
  await waitFor('the other tab holds the lock', () => release)
  const waiting = session.refreshSession()
  FakeChannel.all[0]!.deliver({ type: 'session', session: { token: 'D2', expiresAt: new Date(Date.now() + 900_000).toISOString(), kind: 'account', user: { id: 'u-1', name: 'Vasily' } } })
  release?.()
  await held
  t.equal((await waiting)?.token, 'D2')
  t.same(calls, [], 'no second refresh: that refresh token is already used')
  session.clearSession()
})

t.test('dev sign-in sessions are kept in localStorage and restored from it', async (t) => {
  cookie.value = ''
  session.saveSession({ token: 'dev-token', expiresAt: new Date(Date.now() + 86_400_000).toISOString(), kind: 'dev', user: { id: 'd-1', name: 'Ann' } })
  t.match(JSON.parse(store.get('wt.session') ?? '{}'), { token: 'dev-token', kind: 'dev' })
  session.clearSession()
  t.equal(store.get('wt.session'), undefined)
  store.set('wt.session', JSON.stringify({ token: 'old', user: { id: 'd-2', name: 'Boris' }, expiresAt: new Date(Date.now() + 60_000).toISOString() }))
  t.match(await session.restoreSession(), { token: 'old', kind: 'dev' }, 'a session stored before accounts existed')
  store.set('wt.session', JSON.stringify({ token: 'gone', user: { id: 'd-3', name: 'X' }, expiresAt: new Date(Date.now() - 1000).toISOString(), kind: 'dev' }))
  session.clearSession()
  store.set('wt.session', JSON.stringify({ token: 'gone', user: { id: 'd-3', name: 'X' }, expiresAt: new Date(Date.now() - 1000).toISOString(), kind: 'dev' }))
  t.equal(await session.restoreSession(), null, 'an expired one is dropped (and no cookie: no refresh)')
  t.equal(store.get('wt.session'), undefined)
})

function navigatorLocks () {
  return (globalThis as unknown as { navigator: { locks: { request: (name: string, fn: () => Promise<unknown>) => Promise<unknown> } } }).navigator.locks
}
