import type { Film, Room } from '@watch-together/protocol'
import { clearSession, loadSession } from './session.js'

/** A refused call: room-api's stable error code (ROOM_*, VALIDATION_FAILED) and its message. */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'ApiError'
  }
}

/** Called when room-api says the token is no longer good (the app sends the user to sign in). */
let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler (fn: () => void) { onUnauthorized = fn }

export async function api<T> (method: string, path: string, body?: unknown): Promise<T> {
  const session = loadSession()
  const headers: Record<string, string> = {}
  if (session) headers.authorization = `Bearer ${session.token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection and try again.')
  }
  const json = await res.json().catch(() => null) as { success?: boolean, errors?: Array<{ code: string, message: string }> } | null
  if (res.ok && json?.success !== false) return json as T
  const first = json?.errors?.[0]
  const err = new ApiError(res.status, first?.code ?? `HTTP_${res.status}`, first?.message ?? res.statusText)
  if (res.status === 401) { clearSession(); onUnauthorized() }
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
  list: () => api<{ films: Film[], total: number }>('GET', '/films?limit=100'),
  watchlist: () => api<{ items: Array<{ film: Film }> }>('GET', '/me/watchlist'),
  want: (filmId: string) => api('PUT', `/me/watchlist/${encodeURIComponent(filmId)}`),
  unwant: (filmId: string) => api('DELETE', `/me/watchlist/${encodeURIComponent(filmId)}`),
  matches: () => api<{ matches: Array<{ film: Film, friendIds: string[], count: number }> }>('GET', '/me/matches'),
  friends: () => api<{ friends: Array<{ userId: string }> }>('GET', '/me/friends'),
  befriend: (userId: string) => api('PUT', `/me/friends/${encodeURIComponent(userId)}`)
}

export const rooms = {
  create: (filmId: string) => api<{ room: Room, link: string }>('POST', '/rooms', { filmId }),
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
    api<{ room: Room }>('PUT', `/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}/mute`, { muted })
}
