import type { Me, Person, Relationship } from '@watch-together/protocol'
import type pg from 'pg'
import { isUniqueViolation } from '../db/errors.js'
import type { Db } from '../db/transaction.js'
import { errors } from '../errors.js'
import { handleBase, handleCandidates } from './handles.js'

type Queryable = pg.Pool | Db

export interface PersonRow { id: string, handle: string, display_name: string, avatar_version: number }
export const PERSON_COLUMNS = 'u.id, u.handle, u.display_name, u.avatar_version'

export const avatarUrl = (id: string, version: number) => `/api/v1/users/${encodeURIComponent(id)}/avatar?v=${version}`
export const toPerson = (r: PersonRow): Person =>
  ({ id: r.id, handle: r.handle, displayName: r.display_name, avatarUrl: avatarUrl(r.id, r.avatar_version) })

/** How `$1` (the viewer) stands with `u`; a block by the viewer wins over everything. */
export const RELATIONSHIP_SQL = `CASE
  WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = $1 AND b.blocked_id = u.id) THEN 'blocked'
  WHEN EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = $1 AND f.friend_id = u.id) THEN 'friend'
  WHEN EXISTS (SELECT 1 FROM friend_requests r WHERE r.from_user_id = $1 AND r.to_user_id = u.id) THEN 'request_sent'
  WHEN EXISTS (SELECT 1 FROM friend_requests r WHERE r.from_user_id = u.id AND r.to_user_id = $1) THEN 'request_received'
  ELSE 'none' END`
/** Someone who blocked the viewer ($1) does not exist for them. */
export const NOT_BLOCKED_BY_SQL = 'NOT EXISTS (SELECT 1 FROM blocks x WHERE x.blocker_id = u.id AND x.blocked_id = $1)'

export interface NewUser {
  id: string
  displayName: string
  origin: 'password' | 'telegram' | 'external'
  /** Asked for: taken → ROOM_HANDLE_TAKEN. Absent: made from `handleHint` (or the name) until one is free. */
  handle?: string | undefined
  handleHint?: string | undefined
  email?: string
  passwordHash?: string
}

const LIKE_SPECIALS = /[\\%_]/g

/** A free handle like `base`, to suggest when someone asks for a taken one. */
async function freeHandleLike (db: Queryable, base: string): Promise<string> {
  const candidates = handleCandidates(base, 6).slice(1)
  const { rows } = await db.query<{ c: string }>(
    'SELECT c FROM unnest($1::text[]) AS c WHERE NOT EXISTS (SELECT 1 FROM users WHERE handle = c) LIMIT 1', [candidates])
  return rows[0]?.c ?? candidates[0] as string
}

/** The users table: one row per person whichever way they sign in. */
export class UsersRepository {
  /** Users known to have a row (this process), so the bearer-token path inserts once per user. */
  private readonly known = new Set<string>()

  constructor (private readonly pool: pg.Pool) {}

  /**
   * Inserts a user, trying handles until one is free (ON CONFLICT, so a caller's transaction
   * survives a taken handle). Returns false when the id (or the email) already has a row.
   */
  async insert (db: Queryable, user: NewUser): Promise<boolean> {
    const candidates = user.handle ? [user.handle] : handleCandidates(handleBase(user.handleHint ?? user.displayName), 6)
    for (const handle of candidates) {
      const { rowCount } = await db.query(
        `INSERT INTO users (id, handle, display_name, origin, email, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`, [user.id, handle, user.displayName, user.origin, user.email ?? null, user.passwordHash ?? null])
      if (rowCount) return true
      const { rows } = await db.query<{ id: boolean, email: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM users WHERE id = $1) AS id, EXISTS (SELECT 1 FROM users WHERE email = $2) AS email',
        [user.id, user.email ?? null])
      if (rows[0]?.email) throw errors.emailTaken()
      if (rows[0]?.id) return false
      if (user.handle) throw errors.handleTaken(user.handle, await freeHandleLike(db, handleBase(user.handle)))
    }
    throw new Error('no free handle after several random tries')
  }

  /**
   * Gives someone signed in by a bearer token (external Auth service, dev sign-in) a row on first
   * use, named by their token; afterwards the name is theirs to edit here.
   */
  async ensure (user: { id: string, name: string }): Promise<void> {
    if (this.known.has(user.id)) return
    await this.insert(this.pool, { id: user.id, displayName: user.name.slice(0, 64) || 'user', origin: 'external' })
    if (this.known.size >= 100_000) this.known.clear()
    this.known.add(user.id)
  }

  async byEmail (email: string) {
    const { rows } = await this.pool.query<{ id: string, display_name: string, password_hash: string }>(
      'SELECT id, display_name, password_hash FROM users WHERE email = $1', [email])
    return rows[0]
  }

  async me (db: Queryable, id: string): Promise<Me> {
    const { rows } = await db.query<PersonRow & { email: string | null, has_password: boolean, telegram_id: string | null, telegram_username: string | null }>(
      `SELECT ${PERSON_COLUMNS}, u.email, u.password_hash IS NOT NULL AS has_password, i.subject AS telegram_id, i.username AS telegram_username
       FROM users u LEFT JOIN user_identities i ON i.user_id = u.id AND i.provider = 'telegram' WHERE u.id = $1`, [id])
    const r = rows[0]
    if (!r) throw errors.userNotFound()
    return {
      ...toPerson(r),
      name: r.display_name,
      email: r.email,
      hasPassword: r.has_password,
      telegram: r.telegram_id ? { id: r.telegram_id, username: r.telegram_username } : null
    }
  }

  /** Someone by id or `@handle`, as the viewer may see them (404 when unknown or they blocked the viewer). */
  async person (viewerId: string, ref: string): Promise<Person & { relationship: Relationship }> {
    const byHandle = ref.startsWith('@')
    const { rows } = await this.pool.query<PersonRow & { relationship: Relationship }>(
      `SELECT ${PERSON_COLUMNS}, ${RELATIONSHIP_SQL} AS relationship FROM users u
       WHERE ${byHandle ? 'u.handle = lower($2)' : 'u.id = $2'} AND ${NOT_BLOCKED_BY_SQL}`, [viewerId, byHandle ? ref.slice(1) : ref])
    const r = rows[0]
    if (!r) throw errors.userNotFound()
    return { ...toPerson(r), relationship: r.relationship }
  }

  /** An id for `@handle` or an id, if such a user exists (blocks are the caller's business). */
  async idOf (db: Queryable, ref: { userId: string } | { handle: string }): Promise<string> {
    const { rows } = 'handle' in ref
      ? await db.query<{ id: string }>('SELECT id FROM users WHERE handle = $1', [ref.handle])
      : await db.query<{ id: string }>('SELECT id FROM users WHERE id = $1', [ref.userId])
    if (!rows[0]) throw errors.userNotFound()
    return rows[0].id
  }

  /**
   * People whose handle or display name starts with `q` (case-insensitive), never the viewer nor
   * anyone who blocked them, by handle. One more row than asked tells whether a next page exists.
   */
  async search (viewerId: string, q: string, limit: number, offset: number) {
    const prefix = q.toLowerCase().replace(LIKE_SPECIALS, (c) => `\\${c}`)
    const handlePrefix = prefix.replace(/^@/, '')
    const { rows } = await this.pool.query<PersonRow & { relationship: Relationship }>(
      `SELECT ${PERSON_COLUMNS}, ${RELATIONSHIP_SQL} AS relationship FROM users u
       WHERE (u.handle LIKE $2 || '%' OR lower(u.display_name) LIKE $3 || '%') AND u.id <> $1 AND ${NOT_BLOCKED_BY_SQL}
       ORDER BY u.handle LIMIT $4 OFFSET $5`, [viewerId, handlePrefix, prefix, limit + 1, offset])
    return {
      people: rows.slice(0, limit).map((r) => ({ ...toPerson(r), relationship: r.relationship })),
      nextOffset: rows.length > limit ? offset + limit : null
    }
  }

  /** Changes handle and/or display name; returns the profile after. */
  async updateProfile (db: Db, id: string, change: { handle?: string | undefined, displayName?: string | undefined }) {
    const taken = (handle: string) => errors.handleTaken(handle, handleCandidates(handleBase(handle), 2)[1] as string)
    let rows: PersonRow[]
    try {
      ({ rows } = await db.query<PersonRow>(
        `UPDATE users u SET handle = COALESCE($2, handle), display_name = COALESCE($3, display_name) WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM users o WHERE o.handle = $2 AND o.id <> $1)
         RETURNING ${PERSON_COLUMNS}`, [id, change.handle ?? null, change.displayName ?? null]))
    } catch (err) {
      // Two people taking one free handle at the same moment: the index decides, the loser is told.
      if (change.handle && isUniqueViolation(err, 'users_handle')) throw taken(change.handle)
      throw err
    }
    if (rows[0]) return rows[0]
    if (change.handle) throw errors.handleTaken(change.handle, await freeHandleLike(db, handleBase(change.handle)))
    throw errors.userNotFound()
  }

  /** What a password change checks against. */
  async credentials (id: string): Promise<{ email: string | null, password_hash: string | null } | undefined> {
    const { rows } = await this.pool.query<{ email: string | null, password_hash: string | null }>('SELECT email, password_hash FROM users WHERE id = $1', [id])
    return rows[0]
  }

  async setPasswordHash (db: Queryable, id: string, passwordHash: string): Promise<void> {
    await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash])
  }

  async putAvatar (db: Db, id: string, contentType: string, bytes: Buffer): Promise<void> {
    await db.query(`INSERT INTO avatars (user_id, content_type, bytes) VALUES ($1, $2, $3)
      ON CONFLICT (user_id) DO UPDATE SET content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes, updated_at = now()`,
    [id, contentType, bytes])
  }

  /** False when there was none. */
  async deleteAvatar (db: Db, id: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM avatars WHERE user_id = $1', [id])
    return rowCount !== 0
  }

  /** The uploaded avatar (content type and bytes null when none) and the name for initials; undefined for an unknown user. */
  async avatar (id: string) {
    const { rows } = await this.pool.query<{ display_name: string, content_type: string | null, bytes: Buffer | null }>(
      'SELECT u.display_name, a.content_type, a.bytes FROM users u LEFT JOIN avatars a ON a.user_id = u.id WHERE u.id = $1', [id])
    return rows[0]
  }

  /** Bumps the version in avatar URLs (so caches refetch); the profile after, undefined for an unknown user. */
  async bumpAvatarVersion (db: Db, id: string): Promise<PersonRow | undefined> {
    const { rows } = await db.query<PersonRow>(`UPDATE users u SET avatar_version = avatar_version + 1 WHERE id = $1
      RETURNING ${PERSON_COLUMNS}`, [id])
    return rows[0]
  }
}
