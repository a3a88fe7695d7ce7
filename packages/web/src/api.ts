import type { ErrorItem, Film, Room } from '@watch-together/protocol'
import { clearSession, loadSession } from './session.js'

/**
 * A refused call: room-api's stable error code (ROOM_*, VALIDATION_FAILED) and its message; `items`
 * holds every error item (the field `path`, a `suggestion` that would work instead).
 */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly items: ErrorItem[] = []) {
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

/** Called when room-api says the token is no longer good (the app sends the user to sign in). */
let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler (fn: () => void) { onUnauthorized = fn }

/** An active named room as anyone signed in may see it before joining (GET /rooms/by-name/:name). */
export interface RoomPreview { id: string, name: string, film: Film, hostName: string }

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
  const json = await res.json().catch(() => null) as { success?: boolean, errors?: ErrorItem[] } | null
  if (res.ok && json?.success !== false) return json as T
  const items = Array.isArray(json?.errors) ? json.errors : []
  const first = items[0]
  const err = new ApiError(res.status, first?.code ?? `HTTP_${res.status}`, first?.message ?? res.statusText, items)
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
    api<{ room: Room }>('PUT', `/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}/mute`, { muted })
}
