import type { ErrorItem, Film, Playback, Room } from '@watch-together/protocol'
import { clearSession, loadSession, refreshSession, type SessionAnswer } from './session.js'

/**
 * A refused call: room-api's stable error code (ROOM_*, VALIDATION_FAILED) and its message; `items`
 * holds every error item (the field `path`, a `suggestion` that would work instead); `retryAfterSec`
 * is the Retry-After of a 429 (a sign-in lock, a rate limit).
 */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly items: ErrorItem[] = [], readonly retryAfterSec: number | null = null) {
    super(message)
    this.name = 'ApiError'
  }

  /**
   * The first error item about this request body field: validation names it `body.<field>`
   * (VALIDATION_FAILED), some domain errors plain `<field>` (ROOM_NAME_TAKEN); both count.
   */
  about (field: string): ErrorItem | undefined {
    return this.items.find((item) => item.path === field || item.path === `body.${field}`)
  }
}

/** Called when room-api says the token is no longer good and no refresh helps (the app sends the user to sign in). */
let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler (fn: () => void) { onUnauthorized = fn }

/** An active named room as anyone signed in may see it before joining (GET /rooms/by-name/:name). */
export interface RoomPreview { id: string, name: string, film: Film, hostName: string }

export interface CallOptions {
  /** A raw body (an avatar image) instead of JSON. */
  raw?: Blob
  /** Signing in or up: no bearer, and a 401 is the answer itself, not an expired session. */
  anonymous?: boolean
}

/**
 * One call to room-api's REST API with the session's bearer token. A 401 on an account session
 * (the 15-minute access token ran out) refreshes it once — one tab at a time — and repeats the call.
 */
export async function api<T> (method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  // A token known to have run out (a laptop woke up, a throttled timer): refresh before, not after, a 401.
  const before = opts.anonymous ? null : loadSession()
  if (before?.kind === 'account' && before.expiresAt && Date.parse(before.expiresAt) <= Date.now()) await refreshSession().catch(() => null)
  const first = await call(method, path, body, opts)
  if (first.res.status !== 401 || opts.anonymous) return answer<T>(first)
  const session = first.session
  if (session?.kind === 'account') {
    // Another call may have refreshed meanwhile: use its token, else refresh now.
    const fresh = loadSession()?.token !== session.token ? loadSession() : await refreshSession().catch(() => null)
    if (fresh) return answer<T>(await call(method, path, body, opts))
  }
  return answer<T>(first)
}

interface Called { res: Response, json: { success?: boolean, errors?: ErrorItem[] } | null, session: ReturnType<typeof loadSession> }

async function call (method: string, path: string, body: unknown, opts: CallOptions): Promise<Called> {
  const session = opts.anonymous ? null : loadSession()
  const headers: Record<string, string> = {}
  if (session) headers.authorization = `Bearer ${session.token}`
  let payload: BodyInit | undefined
  if (opts.raw) {
    payload = opts.raw
    headers['content-type'] = opts.raw.type || 'application/octet-stream'
  } else if (body !== undefined) {
    payload = JSON.stringify(body)
    headers['content-type'] = 'application/json'
  }
  let res: Response
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', ...(payload !== undefined ? { body: payload } : {}) })
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection and try again.')
  }
  const json = await res.json().catch(() => null) as Called['json']
  return { res, json, session }
}

function answer<T> ({ res, json, session }: Called): T {
  if (res.ok && json?.success !== false) return json as T
  const items = Array.isArray(json?.errors) ? json.errors : []
  const first = items[0]
  const retryAfter = Number(res.headers.get('retry-after'))
  const err = new ApiError(res.status, first?.code ?? `HTTP_${res.status}`, first?.message ?? res.statusText, items,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null)
  if (res.status === 401 && session) {
    // Only if nobody signed in (again) meanwhile: that session is not the one refused.
    if (loadSession()?.token === session.token || loadSession() === null) clearSession('expired')
    onUnauthorized()
  }
  throw err
}

export interface WebConfig { realtimeUrl: string, devSignIn: boolean }

/** Served by room-api next to the page: where realtime is, and whether dev sign-in is on. */
export async function loadWebConfig (): Promise<WebConfig> {
  const fallback = { realtimeUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:3002`, devSignIn: true }
  try {
    const res = await fetch('/config.json', { cache: 'no-store' })
    if (!res.ok) return fallback
    return { ...fallback, ...(await res.json() as Partial<WebConfig>) }
  } catch {
    return fallback
  }
}

export const films = {
  list: () => api<{ films: Film[], total: number, totalCapped: boolean }>('GET', '/films?limit=100'),
  watchlist: () => api<{ items: Array<{ film: Film }> }>('GET', '/me/watchlist'),
  want: (filmId: string) => api('PUT', `/me/watchlist/${encodeURIComponent(filmId)}`),
  unwant: (filmId: string) => api('DELETE', `/me/watchlist/${encodeURIComponent(filmId)}`),
  matches: () => api<{ matches: Match[], total: number }>('GET', '/me/matches'),
  /** Signed, expiring URLs for this user (HLS or file, subtitles, audio tracks); sets the media cookie. */
  playback: (filmId: string) => api<{ playback: Playback }>('GET', `/films/${encodeURIComponent(filmId)}/playback`)
}

/** Someone as others see them (never an email); `avatarUrl` is on this origin. */
export interface Person { id: string, handle: string, displayName: string, avatarUrl: string }
export type Relationship = 'none' | 'friend' | 'request_sent' | 'request_received' | 'blocked'
export interface Me extends Person { name: string, email: string | null, hasPassword: boolean, telegram: { id: string, username: string | null } | null }
export interface Match { film: Film, friends: Person[], friendIds: string[], count: number }
export interface Providers { password: boolean, telegram: { botName: string } | null, devSignIn: boolean }

const id = (userId: string) => encodeURIComponent(userId)

/** Sign-up, sign-in, Telegram (the refresh and sign-out calls are in session.ts: they need the cookie and the lock). */
export const auth = {
  providers: () => api<Providers>('GET', '/auth/providers', undefined, { anonymous: true }),
  signUp: (body: { email: string, password: string, displayName: string, handle?: string }) =>
    api<SessionAnswer>('POST', '/auth/sign-up', body, { anonymous: true }),
  signIn: (body: { email: string, password: string }) => api<SessionAnswer>('POST', '/auth/sign-in', body, { anonymous: true }),
  telegram: (payload: Record<string, unknown>) => api<SessionAnswer>('POST', '/auth/telegram', payload, { anonymous: true }),
  devSignIn: (name: string) => api<{ token: string, user: { id: string, name: string }, expiresAt: string }>('POST', '/auth/dev-sign-in', { name }, { anonymous: true }),
  signOutEverywhere: () => api<{ revokedSessions: number }>('POST', '/auth/sign-out-everywhere'),
  changePassword: (currentPassword: string, newPassword: string) => api<SessionAnswer>('POST', '/auth/change-password', { currentPassword, newPassword })
}

export const me = {
  get: () => api<{ user: Me }>('GET', '/me'),
  update: (changes: { handle?: string, displayName?: string }) => api<{ user: Me }>('PATCH', '/me', changes),
  setAvatar: (image: Blob) => api<{ user: Me }>('PUT', '/me/avatar', undefined, { raw: image }),
  removeAvatar: () => api<{ user: Me }>('DELETE', '/me/avatar'),
  /** A ticket for the per-user realtime channel (invitations, friend changes). */
  ticket: () => api<{ ticket: string, expiresAt: string }>('POST', '/me/ticket')
}

type RelationshipAnswer = { userId: string, relationship: Relationship }
export const people = {
  search: (q: string) => api<{ people: Array<Person & { relationship: Relationship }>, nextOffset: number | null }>('GET', `/people?q=${encodeURIComponent(q)}&limit=20`),
  friends: () => api<{ friends: Array<Person & { userId: string, since: string }> }>('GET', '/me/friends'),
  requests: () => api<{ incoming: Array<{ person: Person, at: string }>, outgoing: Array<{ person: Person, at: string }> }>('GET', '/me/friend-requests'),
  /** Asks them by id or handle (their earlier request to me makes us friends at once). */
  request: (to: { userId: string } | { handle: string }) => api<RelationshipAnswer>('POST', '/me/friend-requests', to),
  accept: (userId: string) => api<RelationshipAnswer>('POST', `/me/friend-requests/${id(userId)}/accept`),
  decline: (userId: string) => api<RelationshipAnswer>('POST', `/me/friend-requests/${id(userId)}/decline`),
  cancel: (userId: string) => api<RelationshipAnswer>('DELETE', `/me/friend-requests/${id(userId)}`),
  unfriend: (userId: string) => api<RelationshipAnswer>('DELETE', `/me/friends/${id(userId)}`),
  blocks: () => api<{ blocked: Array<{ person: Person, since: string }> }>('GET', '/me/blocks'),
  block: (userId: string) => api<RelationshipAnswer>('PUT', `/me/blocks/${id(userId)}`),
  unblock: (userId: string) => api<RelationshipAnswer>('DELETE', `/me/blocks/${id(userId)}`)
}

export const rooms = {
  /** `name`: the room's typeable name (`/r/<name>`); without it the room has only its id and invite code. */
  create: (filmId: string, name?: string) => api<{ room: Room, link: string }>('POST', '/rooms', { filmId, ...(name ? { name } : {}) }),
  /** What a named room shows before joining it (404 ROOM_NAME_NOT_FOUND when no active room has the name). */
  byName: (name: string) => api<{ room: RoomPreview }>('GET', `/rooms/by-name/${encodeURIComponent(name)}`),
  joinByName: (name: string) => api<{ room: Room }>('POST', `/rooms/by-name/${encodeURIComponent(name)}/join`),
  get: (roomId: string) => api<{ room: Room }>('GET', `/rooms/${encodeURIComponent(roomId)}`),
  join: (roomId: string) => api<{ room: Room }>('POST', `/rooms/${encodeURIComponent(roomId)}/join`),
  joinByCode: (code: string) => api<{ room: Room }>('POST', `/invites/${encodeURIComponent(code)}/join`),
  ticket: (roomId: string) => api<{ ticket: string }>('POST', `/rooms/${encodeURIComponent(roomId)}/ticket`),
  close: (roomId: string) => api<{ room: Room }>('POST', `/rooms/${encodeURIComponent(roomId)}/close`),
  setControlMode: (roomId: string, controlMode: 'everyone' | 'host_only') =>
    api<{ room: Room }>('PUT', `/rooms/${encodeURIComponent(roomId)}/control-mode`, { controlMode }),
  transferHost: (roomId: string, userId: string) => api<{ room: Room }>('PUT', `/rooms/${encodeURIComponent(roomId)}/host`, { userId }),
  leave: (roomId: string) => api('POST', `/rooms/${encodeURIComponent(roomId)}/leave`),
  /** Host only; `ban` also keeps them out for the room's lifetime (ROOM_BANNED when they try the invite). */
  removeMember: (roomId: string, userId: string, ban: boolean) =>
    api<{ room: Room }>('POST', `/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}/remove`, { ban }),
  setMuted: (roomId: string, userId: string, muted: boolean) =>
    api<{ room: Room }>('PUT', `/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}/mute`, { muted }),
  /** A short-lived LiveKit token for the room's call (present members only). */
  callToken: (roomId: string) => api<{ url: string, token: string }>('POST', `/rooms/${encodeURIComponent(roomId)}/call/token`),
  /** Host only: mutes a member's microphone in the call. */
  callMute: (roomId: string, userId: string) =>
    api('POST', `/rooms/${encodeURIComponent(roomId)}/call/members/${encodeURIComponent(userId)}/mute`, { sources: ['microphone'], muted: true }),
  /** This member muted or unmuted their own call track: recorded (call.track_muted) as LiveKit shows it. */
  callSelfMute: (roomId: string, trackSid: string, muted: boolean) =>
    api('POST', `/rooms/${encodeURIComponent(roomId)}/call/self-mute`, { trackSid, muted }),
  /** Host only: removes a member from the call (they stay in the room). */
  callRemove: (roomId: string, userId: string) => api('POST', `/rooms/${encodeURIComponent(roomId)}/call/members/${encodeURIComponent(userId)}/remove`),
  /** Friends only (ROOM_NOT_FRIEND otherwise): each gets a live invitation on their user channel. */
  invite: (roomId: string, userIds: string[]) => api<{ invited: string[] }>('POST', `/rooms/${encodeURIComponent(roomId)}/invitations`, { userIds })
}
