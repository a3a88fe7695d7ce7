import { z } from 'zod'
import { RoomId, UserId } from './common.js'
import { ErrorItem } from './errors.js'
import { ControlMode, MemberRole } from './event-types.js'

/**
 * room-api's REST contract (/api/v1). Every response uses the original product's envelope,
 * `{ success, errors, ...data }`; failures are ErrorBody (errors.ts).
 */

/** Wraps response data in the success envelope. */
export function successEnvelope<T extends z.ZodRawShape> (shape: T) {
  return z.object({ success: z.literal(true), errors: z.array(ErrorItem).max(0), ...shape })
}

/** Film ids are slugs chosen by the catalog (e.g. `big-buck-bunny`). */
export const FilmId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a film slug (a-z, 0-9, -)')
export type FilmId = z.infer<typeof FilmId>

/** Invite codes: at least 10 base62 characters from a CSPRNG. */
export const InviteCode = z.string().regex(/^[0-9A-Za-z]{10,32}$/, 'expected an invite code (10-32 base62 characters)')
export type InviteCode = z.infer<typeof InviteCode>

/**
 * Room names people can type ("think up your own unique room name"): 3-40 latin letters, digits and
 * single hyphens, starting and ending with a letter or digit; case-insensitive (stored lowercase);
 * unique among active rooms and freed when the room closes; not one of the reserved words.
 */
export const RESERVED_ROOM_NAMES: ReadonlySet<string> = new Set([
  'admin', 'api', 'app', 'assets', 'auth', 'catalog', 'config', 'films', 'help', 'invite', 'invites', 'login', 'logout',
  'media', 'me', 'new', 'null', 'r', 'room', 'rooms', 'settings', 'sign-in', 'sign-out', 'sign-up', 'signin', 'signup',
  'static', 'stats', 'support', 'undefined', 'watch-together', 'www'
])
export const RoomName = z.string().trim().toLowerCase()
  .min(3, 'a room name has at least 3 characters')
  .max(40, 'a room name has at most 40 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a room name uses latin letters, digits and single hyphens, and starts and ends with a letter or digit')
  .refine((name) => !RESERVED_ROOM_NAMES.has(name), 'this room name is reserved')
export type RoomName = z.infer<typeof RoomName>

export const RoomStatus = z.enum(['active', 'closed', 'archived'])
export type RoomStatus = z.infer<typeof RoomStatus>

/** ISO-8601 timestamps in REST bodies (events carry epoch ms instead). */
const IsoTime = z.iso.datetime({ offset: true })

/** What a catalog item is: a film (video) or a music track (audio only; rooms of tracks are listening rooms). */
export const MediaKind = z.enum(['film', 'track'])
export type MediaKind = z.infer<typeof MediaKind>

export const Film = z.object({
  id: FilmId,
  title: z.string(),
  year: z.number().int().nullable(),
  durationSec: z.number().int().positive(),
  streamUrl: z.string(),
  posterUrl: z.string().nullable(),
  description: z.string(),
  /** Catalog details (the catalog and search answer them; a room's film may omit them). */
  kind: MediaKind.optional(),
  originalTitle: z.string().nullable().optional(),
  genres: z.array(z.string()).optional(),
  people: z.array(z.string()).optional(),
  /** Audio languages, then `subtitleLanguages`, as tagged (`eng`, `rus`). */
  languages: z.array(z.string()).optional(),
  subtitleLanguages: z.array(z.string()).optional(),
  artist: z.string().nullable().optional(),
  album: z.string().nullable().optional(),
  trackNumber: z.number().int().nullable().optional()
})
export type Film = z.infer<typeof Film>

export const RoomMember = z.object({
  userId: UserId,
  name: z.string(),
  role: MemberRole,
  joinedAt: IsoTime,
  /** Null while the member is in the room. */
  leftAt: IsoTime.nullable(),
  /** Last known realtime presence (from session.connected / session.disconnected). */
  online: z.boolean(),
  /** Muted by the host in chat. */
  muted: z.boolean()
})
export type RoomMember = z.infer<typeof RoomMember>

export const Room = z.object({
  id: RoomId,
  /** The name people can type (`/r/<name>`), or null when the room has only its id and invite code. */
  name: z.string().nullable(),
  film: Film,
  ownerId: UserId,
  hostId: UserId.nullable(),
  inviteCode: InviteCode,
  status: RoomStatus,
  controlMode: ControlMode,
  createdAt: IsoTime,
  closedAt: IsoTime.nullable(),
  members: z.array(RoomMember)
})
export type Room = z.infer<typeof Room>

// ---- requests ----
export const RoomIdParams = z.object({ roomId: RoomId })
export type RoomIdParams = z.infer<typeof RoomIdParams>
export const InviteCodeParams = z.object({ code: InviteCode })
export type InviteCodeParams = z.infer<typeof InviteCodeParams>
/** Looked up as typed; a name that is not a valid room name simply finds no room. */
export const RoomNameParams = z.object({ name: z.string().min(1).max(100) })
export type RoomNameParams = z.infer<typeof RoomNameParams>
export const FilmIdParams = z.object({ filmId: FilmId })
export type FilmIdParams = z.infer<typeof FilmIdParams>
export const FriendIdParams = z.object({ userId: UserId })
export type FriendIdParams = z.infer<typeof FriendIdParams>

export const CreateRoomBody = z.strictObject({ filmId: FilmId, name: RoomName.optional() })
export type CreateRoomBody = z.infer<typeof CreateRoomBody>
export const ControlModeBody = z.strictObject({ controlMode: ControlMode })
export type ControlModeBody = z.infer<typeof ControlModeBody>
export const TransferHostBody = z.strictObject({ userId: UserId })
export type TransferHostBody = z.infer<typeof TransferHostBody>

export const MemberParams = z.object({ roomId: RoomId, userId: UserId })
export type MemberParams = z.infer<typeof MemberParams>
/** Host only: ends the member's membership now; `ban` also refuses them the invite for the room's lifetime. */
export const RemoveMemberBody = z.strictObject({ ban: z.boolean().default(false) })
export type RemoveMemberBody = z.infer<typeof RemoveMemberBody>
export const MuteMemberBody = z.strictObject({ muted: z.boolean() })
export type MuteMemberBody = z.infer<typeof MuteMemberBody>

/** Invite friends to a room: each gets a live invitation on their per-user channel (friends only). */
export const InviteFriendsBody = z.strictObject({ userIds: z.array(UserId).min(1).max(50) })
export type InviteFriendsBody = z.infer<typeof InviteFriendsBody>
export const InvitedResponse = successEnvelope({ invited: z.array(UserId) })

export const DevSignInBody = z.strictObject({
  name: z.string().trim().min(1).max(64),
  /** Optional: a stable id to sign in as; a fresh one is made otherwise. */
  userId: UserId.optional()
})
export type DevSignInBody = z.infer<typeof DevSignInBody>

/** Query strings are strings: numbers are parsed explicitly, never coerced. */
const pageNumber = (max: number) => z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)
  .pipe(z.number().int().min(0).max(max))

const yearString = z.string().regex(/^\d{4}$/, 'expected a year (4 digits)').transform(Number).pipe(z.number().int().min(1870).max(2100))

export const FilmsQuery = z.strictObject({
  /**
   * Full-text search in English and Russian (stemmed, word prefixes, ranked) over titles, original
   * titles, descriptions, people, genres, artist, album and year, with typo tolerance on titles.
   */
  q: z.string().trim().min(1).max(100).optional(),
  kind: MediaKind.optional(),
  genre: z.string().trim().min(1).max(60).optional(),
  year: yearString.optional(),
  /** An audio or subtitle language as tagged (`eng`, `rus`). */
  language: z.string().regex(/^[a-z]{2,3}$/, 'expected a 2- or 3-letter language code').optional(),
  limit: pageNumber(100).optional(),
  offset: pageNumber(100_000).optional()
})
export type FilmsQuery = z.infer<typeof FilmsQuery>

// ---- responses ----
export const User = z.object({ id: UserId, name: z.string() })
export type User = z.infer<typeof User>

export const DevSignInResponse = successEnvelope({ token: z.string(), user: User, expiresAt: IsoTime })
export const RoomResponse = successEnvelope({ room: Room })
/** What anyone signed in may see of an active named room before joining (as the invite preview shows). */
export const RoomPreview = z.object({ id: RoomId, name: z.string(), film: Film, hostName: z.string() })
export const RoomPreviewResponse = successEnvelope({ room: RoomPreview })
/** Create also returns `link`, the invite URL to share, as the original API does. */
export const CreateRoomResponse = successEnvelope({ room: Room, link: z.string() })
export const TicketResponse = successEnvelope({ ticket: z.string(), expiresAt: IsoTime })
/** A ticket for the per-user channel (/users/ws), for any signed-in user. */
export const UserTicketResponse = successEnvelope({ ticket: z.string(), expiresAt: IsoTime })
export const FilmResponse = successEnvelope({ film: Film })
/**
 * `total` counts matches up to a cap (1,000): past it, `totalCapped` is true and a client shows
 * "1000+" — counting every match of a common word is what made search slow at 100,000 items.
 */
export const FilmsResponse = successEnvelope({ films: z.array(Film), total: z.number().int().nonnegative(), totalCapped: z.boolean() })
export const WatchlistItem = z.object({ film: Film, addedAt: IsoTime })
export const WatchlistResponse = successEnvelope({ items: z.array(WatchlistItem) })
export const Friend = z.object({ userId: UserId, since: IsoTime })
export const FriendsResponse = successEnvelope({ friends: z.array(Friend) })
/** A film on my list that friends also want, with those friends; most-shared first. */
export const Match = z.object({ film: Film, friendIds: z.array(UserId), count: z.number().int().positive() })
export type Match = z.infer<typeof Match>
export const MatchesResponse = successEnvelope({ matches: z.array(Match) })
export const EmptySuccess = successEnvelope({})
