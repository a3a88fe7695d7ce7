import { z } from 'zod'
import { UserId } from './common.js'
import { Film, successEnvelope } from './rooms.js'

/**
 * Accounts, sessions, profiles, people and friends: room-api's REST contract for issue 14
 * (/api/v1/auth/*, /api/v1/me*, /api/v1/people*, /api/v1/users/:id/avatar). Envelopes as in rooms.ts.
 */

const IsoTime = z.iso.datetime({ offset: true })

/** The browser side of a session (room-api sets them; the web client reads only the CSRF one). */
export const AUTH_COOKIES = {
  /** The rotating refresh token: httpOnly, SameSite=Strict, Path=/api/v1/auth. */
  refresh: 'wt_refresh',
  /** The session's CSRF token, readable by the page, to be echoed in CSRF_HEADER. */
  csrf: 'wt_csrf'
} as const
/** Every cookie-authenticated mutation (refresh, sign-out) must carry the session's CSRF token here. */
export const CSRF_HEADER = 'x-csrf-token'

/** Words a handle may not be: they would read as the product speaking, or collide with paths. */
export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'api', 'auth', 'help', 'me', 'moderator', 'null', 'official', 'root', 'support',
  'system', 'undefined', 'watch_together', 'watchtogether'
])

/**
 * A unique handle (`@vasily`): 3-30 latin letters, digits and underscores, starting with a letter;
 * case-insensitive (stored lowercase); a leading `@` is accepted and dropped.
 */
export const Handle = z.string().trim().toLowerCase().overwrite((s) => s.replace(/^@/, ''))
  .regex(/^[a-z][a-z0-9_]{2,29}$/, 'a handle is 3-30 latin letters, digits or underscores, starting with a letter')
  .refine((h) => !RESERVED_HANDLES.has(h), 'this handle is reserved')
export type Handle = z.infer<typeof Handle>

/** Shown next to the handle; any script, no control or bidi-override characters. */
export const DisplayName = z.string().trim().min(1).max(64)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+$/, 'no control or text-direction characters')
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('expected an email address'))
/** Length is the rule (NIST SP 800-63B); the upper bound caps the hashing input. */
export const Password = z.string().min(10, 'a password has at least 10 characters').max(256, 'a password has at most 256 characters')

export const SignUpBody = z.strictObject({
  email: Email,
  password: Password,
  displayName: DisplayName,
  /** Optional: one is made from the display name otherwise (editable later). */
  handle: Handle.optional()
})
export type SignUpBody = z.infer<typeof SignUpBody>
export const SignInBody = z.strictObject({ email: Email, password: z.string().min(1).max(256) })
export type SignInBody = z.infer<typeof SignInBody>
export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: Password })
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>

const telegramNumber = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)])
/**
 * What the Telegram Login Widget hands the page (its callback object, or its redirect's query),
 * posted as JSON. Fields Telegram may add later are kept: the hash covers every field.
 */
export const TelegramAuthBody = z.object({
  id: telegramNumber,
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  photo_url: z.string().max(1024).optional(),
  auth_date: telegramNumber,
  hash: z.string().regex(/^[0-9a-f]{64}$/i, 'expected the 64 hex digits Telegram sends')
}).catchall(z.union([z.string().max(1024), z.number()]))
  .refine((body) => Object.keys(body).length <= 20, 'too many fields')
export type TelegramAuthBody = z.infer<typeof TelegramAuthBody>

export const UpdateProfileBody = z.strictObject({ handle: Handle.optional(), displayName: DisplayName.optional() })
  .refine((b) => b.handle !== undefined || b.displayName !== undefined, 'give a handle, a display name or both')
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>

/** Someone as others see them: never an email. `avatarUrl` is relative to room-api's origin. */
export const Person = z.object({ id: UserId, handle: z.string(), displayName: z.string(), avatarUrl: z.string() })
export type Person = z.infer<typeof Person>
/** How the signed-in user stands with someone. */
export const Relationship = z.enum(['none', 'friend', 'request_sent', 'request_received', 'blocked'])
export type Relationship = z.infer<typeof Relationship>
export const PersonWithRelationship = Person.extend({ relationship: Relationship })

/** The signed-in user. `name` equals `displayName` (the shape dev sign-in's `user` has). */
export const Me = Person.extend({
  name: z.string(),
  email: z.string().nullable(),
  hasPassword: z.boolean(),
  telegram: z.object({ id: z.string(), username: z.string().nullable() }).nullable()
})
export type Me = z.infer<typeof Me>

/**
 * A new access token. `token` is a bearer JWT (`sub` = user id, `name` = display name) for every
 * API call; the refresh token travels only in its cookie; `csrfToken` is also in the `wt_csrf` cookie.
 */
export const SessionResponse = successEnvelope({ token: z.string(), expiresAt: IsoTime, csrfToken: z.string(), user: Me })
export const MeResponse = successEnvelope({ user: Me })
export const ProvidersResponse = successEnvelope({
  password: z.boolean(),
  telegram: z.object({ botName: z.string() }).nullable(),
  devSignIn: z.boolean()
})
export const SignOutResponse = successEnvelope({ revokedSessions: z.number().int().nonnegative() })

const pageNumber = (max: number) => z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)
  .pipe(z.number().int().min(0).max(max))
export const PeopleQuery = z.strictObject({
  /** A prefix of a handle (with or without `@`) or of a display name, case-insensitive. */
  q: z.string().trim().min(1).max(64),
  limit: pageNumber(50).optional(),
  offset: pageNumber(10_000).optional()
})
export type PeopleQuery = z.infer<typeof PeopleQuery>
export const PeopleResponse = successEnvelope({ people: z.array(PersonWithRelationship), nextOffset: z.number().int().nullable() })
/** `@handle` or a user id. */
export const PersonRefParams = z.object({ ref: z.string().min(1).max(129) })
export const PersonResponse = successEnvelope({ person: PersonWithRelationship })
export const UserIdParams = z.object({ userId: UserId })

/** Whom to ask: a user id or a handle. */
export const FriendRequestBody = z.union([z.strictObject({ userId: UserId }), z.strictObject({ handle: Handle })])
export type FriendRequestBody = z.infer<typeof FriendRequestBody>
/** After a change: where the signed-in user now stands with them (their profile only through GET /people). */
export const RelationshipResponse = successEnvelope({ userId: UserId, relationship: Relationship })
export const FriendRequest = z.object({ person: Person, at: IsoTime })
export const FriendRequestsResponse = successEnvelope({ incoming: z.array(FriendRequest), outgoing: z.array(FriendRequest) })
/** A friend: `userId` and `since` as before issue 14, with the profile beside them. */
export const FriendProfile = Person.extend({ userId: UserId, since: IsoTime })
export const FriendProfilesResponse = successEnvelope({ friends: z.array(FriendProfile), relationship: Relationship.optional() })
export const BlocksResponse = successEnvelope({ blocked: z.array(z.object({ person: Person, since: IsoTime })) })

export const MatchesQuery = z.strictObject({ limit: pageNumber(200).optional() })
/**
 * A film on my list that friends also want. `count` is how many friends; `friends` (and the older
 * `friendIds`) list at most MATCH_FRIENDS_SHOWN of them, by handle.
 */
export const MATCH_FRIENDS_SHOWN = 50
export const PeopleMatch = z.object({ film: Film, friendIds: z.array(UserId), friends: z.array(Person), count: z.number().int().positive() })
export type PeopleMatch = z.infer<typeof PeopleMatch>
export const PeopleMatchesResponse = successEnvelope({ matches: z.array(PeopleMatch), total: z.number().int().nonnegative() })
