import { AUTH_COOKIES, CSRF_HEADER } from '@watch-together/protocol'

/**
 * The signed-in user. Three kinds:
 * - `account` — our own accounts (email + password, Telegram): the access token lives **in memory
 *   only** (15 minutes) and is renewed with the httpOnly refresh cookie + the CSRF header, one tab at a
 *   time (Web Locks); a reload restores it the same way.
 * - `dev` — development sign-in, and `token` — a token pasted from the external Auth service: no
 *   refresh exists for them, so they are kept in localStorage as before (until they expire).
 */
export type SessionKind = 'account' | 'dev' | 'token'
export interface SessionUser { id: string, name: string, handle?: string, avatarUrl?: string }
export interface Session { token: string, user: SessionUser, expiresAt: string | null, kind: SessionKind }

/** What room-api answers for sign-up, sign-in, refresh, Telegram and a password change. */
export interface SessionAnswer {
  token: string
  expiresAt: string
  csrfToken: string
  user: { id: string, handle: string, displayName: string, avatarUrl: string }
}

/** Why the session changed, for listeners: the app re-renders on `signed-out` and on another user. */
export type SessionChange = 'signed-in' | 'refreshed' | 'signed-out' | 'expired'

const KEY = 'wt.session'
/** Renew this long before the access token expires (plus up to REFRESH_SPREAD_MS, so tabs spread out). */
const REFRESH_AHEAD_MS = 60_000
const REFRESH_SPREAD_MS = 30_000
const LOCK = 'wt-refresh'

let current: Session | null = null
/** Bumped on every change of `current` (here or told by another tab). */
let generation = 0
let refreshTimer: ReturnType<typeof setTimeout> | undefined
let inflight: Promise<Session | null> | null = null
const listeners = new Set<(session: Session | null, change: SessionChange) => void>()

/** Other tabs of this browser: a refreshed access token is shared (never stored), a sign-out ends them all. */
type TabMessage = { type: 'session', session: Session } | { type: 'signed-out' }
let tabs: BroadcastChannel | null | undefined

/** The channel to the other tabs, opened on first use (restoreSession opens it at start). */
function tabChannel (): BroadcastChannel | null {
  if (tabs !== undefined) return tabs
  tabs = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('wt-session')
  tabs?.addEventListener('message', (event: MessageEvent<TabMessage>) => {
    const message = event.data
    if (message.type === 'session' && message.session.kind === 'account') {
      const sameUser = current?.user.id === message.session.user.id
      set(message.session)
      tell(sameUser ? 'refreshed' : 'signed-in')
    } else if (message.type === 'signed-out' && current) {
      forget()
      tell('signed-out')
    }
  })
  return tabs
}

function tell (change: SessionChange) {
  for (const fn of [...listeners]) {
    try { fn(current, change) } catch (err) { queueMicrotask(() => { throw err }) }
  }
}

/** Listens to session changes; returns the function that stops listening. */
export function onSessionChange (fn: (session: Session | null, change: SessionChange) => void): () => void {
  listeners.add(fn)
  return () => { listeners.delete(fn) }
}

function expired (session: Session): boolean {
  return session.expiresAt !== null && Date.parse(session.expiresAt) <= Date.now()
}

/**
 * The current session, or null. An account's access token may be near its end: api() refreshes it on
 * a 401 and a timer before it expires, so callers just use it.
 */
export function loadSession (): Session | null {
  if (current && current.kind !== 'account' && expired(current)) {
    forget()
    return null
  }
  return current
}

function set (session: Session) {
  current = session
  generation++
  clearTimeout(refreshTimer)
  if (session.kind === 'account' && session.expiresAt) {
    const due = Date.parse(session.expiresAt) - Date.now() - REFRESH_AHEAD_MS - Math.random() * REFRESH_SPREAD_MS
    refreshTimer = setTimeout(() => { refreshSoon() }, Math.max(5_000, due))
  }
}

/** A scheduled refresh; a failure that may pass (network, 5xx) is tried again in 30 s, a dead session signs out. */
function refreshSoon () {
  refreshSession().catch(() => {
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => { refreshSoon() }, 30_000)
  })
}

function forget () {
  current = null
  generation++
  clearTimeout(refreshTimer)
  try { localStorage.removeItem(KEY) } catch {}
}

/** Starts using a session: an account's in memory (and told to the other tabs), a dev or pasted token also in localStorage. */
export function saveSession (session: Session) {
  const sameUser = current?.user.id === session.user.id
  set(session)
  if (session.kind === 'account') {
    try { localStorage.removeItem(KEY) } catch {}
    tabChannel()?.postMessage({ type: 'session', session } satisfies TabMessage)
  } else {
    localStorage.setItem(KEY, JSON.stringify(session))
  }
  tell(sameUser ? 'refreshed' : 'signed-in')
}

/** Updates the user's profile fields (after an edit) without touching the token. */
export function updateSessionUser (user: Partial<SessionUser>) {
  if (!current) return
  saveSession({ ...current, user: { ...current.user, ...user } })
}

/** Forgets the session here (no server call): the token is no longer good. */
export function clearSession (change: SessionChange = 'expired') {
  if (!current) return
  forget()
  tell(change)
}

/** An account session from room-api's answer. */
export function accountSession (answer: SessionAnswer): Session {
  const { user } = answer
  return {
    token: answer.token,
    expiresAt: answer.expiresAt,
    kind: 'account',
    user: { id: user.id, name: user.displayName, handle: user.handle, avatarUrl: user.avatarUrl }
  }
}

/** A cookie's value (the CSRF token is the one the page reads). */
export function readCookie (name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      try { return decodeURIComponent(part.slice(eq + 1).trim()) } catch { return null }
    }
  }
  return null
}

/** Whether this browser may still hold a refresh cookie (room-api sets the CSRF cookie beside it). */
export function hasAccountCookie (): boolean {
  return readCookie(AUTH_COOKIES.csrf) !== null
}

/** Runs `fn` while no other tab of this browser refreshes (Web Locks; a plain call where there are none). */
async function exclusively<T> (fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) return await navigator.locks.request(LOCK, fn)
  return await fn()
}

/** A refresh that failed for a reason that may pass (network, server error): the session is kept. */
export class RefreshUnavailable extends Error { override name = 'RefreshUnavailable' }

/** Why the account session last ended on a refresh, in room-api's code (ROOM_REFRESH_REUSED, …). */
let endedBecause: string | null = null

/** Why the session ended (once): the sign-in page says it in words. */
export function takeEndReason (): string | null {
  const reason = endedBecause
  endedBecause = null
  return reason
}

/**
 * A new access token for the refresh cookie, one tab at a time: a refresh token presented twice
 * counts as stolen and signs the whole session out, so two tabs must never send the same one. A
 * tab that waited for the lock while another refreshed (and told it) does not refresh again.
 * Resolves with the new session, or null when there is none any more (signed out, revoked, expired);
 * rejects with RefreshUnavailable when room-api cannot be reached.
 */
export function refreshSession (): Promise<Session | null> {
  if (inflight) return inflight
  const seen = generation
  inflight = exclusively(async () => {
    if (generation !== seen && current?.kind === 'account' && current.expiresAt &&
      Date.parse(current.expiresAt) - Date.now() > REFRESH_AHEAD_MS) return current
    const csrf = readCookie(AUTH_COOKIES.csrf)
    if (!csrf) return ended(null)
    let res: Response
    try {
      res = await fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { [CSRF_HEADER]: csrf } })
    } catch {
      throw new RefreshUnavailable('The server cannot be reached.')
    }
    const json = await res.json().catch(() => null) as (SessionAnswer & { errors?: Array<{ code: string }> }) | null
    if (res.ok && json?.token) {
      saveSession(accountSession(json))
      return current
    }
    if (res.status === 401 || res.status === 403) return ended(json?.errors?.[0]?.code ?? null)
    throw new RefreshUnavailable(`The server answered ${res.status}.`)
  }).finally(() => { inflight = null })
  return inflight
}

function ended (code: string | null): null {
  endedBecause = code
  if (current?.kind === 'account') clearSession('expired')
  return null
}

/**
 * At start: a dev or pasted token from localStorage, else — when the browser holds a session
 * cookie — a fresh access token for it. Resolves with the session or null.
 */
export async function restoreSession (): Promise<Session | null> {
  tabChannel()
  try {
    const raw = localStorage.getItem(KEY)
    if (raw) {
      const stored = JSON.parse(raw) as Session
      // Sessions stored before accounts existed carry no kind: they were dev or pasted tokens.
      const session: Session = { ...stored, kind: stored.kind === 'token' ? 'token' : 'dev' }
      if (!expired(session)) { set(session); return session }
      localStorage.removeItem(KEY)
    }
  } catch {}
  if (!hasAccountCookie()) return null
  try {
    return await refreshSession()
  } catch {
    return null
  }
}

/** Signs out here: ends the cookie's session on room-api (CSRF-checked) and every tab of this browser. */
export async function signOut (): Promise<void> {
  const csrf = readCookie(AUTH_COOKIES.csrf)
  clearSession('signed-out')
  tabChannel()?.postMessage({ type: 'signed-out' } satisfies TabMessage)
  if (!csrf) return
  await exclusively(() => fetch('/api/v1/auth/sign-out', { method: 'POST', credentials: 'same-origin', headers: { [CSRF_HEADER]: csrf } }))
    .catch(() => {})
}

/**
 * A session from a pasted token: the id and name come from its claims (`sub`, `name`); the
 * signature is room-api's to check, so a bad token fails on the first call.
 */
export function sessionFromToken (token: string): Session {
  const part = token.trim().split('.')[1]
  if (!part) throw new Error('This does not look like a JWT (three dot-separated parts).')
  let claims: { sub?: unknown, name?: unknown, exp?: unknown }
  try {
    // base64url → bytes → UTF-8 (atob alone would garble non-Latin names).
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))))
  } catch {
    throw new Error('The token could not be read.')
  }
  if (typeof claims.sub !== 'string') throw new Error('The token has no user id (sub).')
  const name = typeof claims.name === 'string' ? claims.name : claims.sub
  const expiresAt = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null
  return { token: token.trim(), user: { id: claims.sub, name }, expiresAt, kind: 'token' }
}
