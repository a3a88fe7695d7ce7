import type { Film, Room, RoomMember } from '@watch-together/protocol'

export interface FilmRow {
  id: string
  title: string
  year: number | null
  duration_sec: number
  stream_url: string
  poster_url: string | null
  description: string
}

export const FILM_COLUMNS = 'f.id, f.title, f.year, f.duration_sec, f.stream_url, f.poster_url, f.description'

export function toFilm (row: FilmRow): Film {
  return {
    id: row.id,
    title: row.title,
    year: row.year,
    durationSec: row.duration_sec,
    streamUrl: row.stream_url,
    posterUrl: row.poster_url,
    description: row.description
  }
}

const iso = (value: string | Date | null): string | null => value === null ? null : new Date(value).toISOString()

interface MemberJson { user_id: string, name: string, role: 'host' | 'guest', joined_at: string, left_at: string | null, online: boolean, muted: boolean }

export interface RoomViewRow {
  id: string
  owner_id: string
  name: string | null
  invite_code: string
  status: Room['status']
  control_mode: Room['controlMode']
  created_at: Date
  closed_at: Date | null
  film: FilmRow
  members: MemberJson[]
}

/** Members as the JSON a view query aggregates (`m` is a room_members row or alike). */
export const MEMBER_JSON = `json_build_object('user_id', m.user_id, 'name', m.name, 'role', m.role,
  'joined_at', m.joined_at, 'left_at', m.left_at, 'online', m.online, 'muted', m.muted)`

export function toRoom (row: RoomViewRow): Room {
  const members: RoomMember[] = row.members.map((m) => ({
    userId: m.user_id,
    name: m.name,
    role: m.role,
    joinedAt: iso(m.joined_at) as string,
    leftAt: iso(m.left_at),
    online: m.online,
    muted: m.muted
  }))
  return {
    id: row.id,
    name: row.name,
    film: toFilm(row.film),
    ownerId: row.owner_id,
    hostId: members.find((m) => m.role === 'host')?.userId ?? null,
    inviteCode: row.invite_code,
    status: row.status,
    controlMode: row.control_mode,
    createdAt: iso(row.created_at) as string,
    closedAt: iso(row.closed_at),
    members
  }
}
