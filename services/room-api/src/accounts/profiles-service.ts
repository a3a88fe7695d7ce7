import type pg from 'pg'
import { withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import { appendUserEvents, userEvent } from '../outbox/user-events.js'
import { checkAvatar, initialsSvg } from './avatars.js'
import type { PersonRow, UsersRepository } from './users-repository.js'

export type AvatarImage = { contentType: string, body: Buffer | string }

/** Handle, display name and avatar changes; each one a `user.profile_updated` on the user's stream. */
export class ProfilesService {
  constructor (
    private readonly pool: pg.Pool,
    private readonly users: UsersRepository,
    private readonly nudge: () => void,
    private readonly avatarMaxBytes: number
  ) {}

  async update (userId: string, change: { handle?: string | undefined, displayName?: string | undefined }): Promise<void> {
    await withTransaction(this.pool, async (db) => {
      const row = await this.users.updateProfile(db, userId, change)
      await appendUserEvents(db, [profileEvent(row)])
    })
    this.nudge()
  }

  /** Stores an upload that passed the checks (avatars.ts) and bumps the version in avatar URLs. */
  async setAvatar (userId: string, bytes: Buffer): Promise<void> {
    const contentType = checkAvatar(bytes, this.avatarMaxBytes)
    await this.changeAvatar(userId, async (db) => {
      await db.query(`INSERT INTO avatars (user_id, content_type, bytes) VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO UPDATE SET content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes, updated_at = now()`,
      [userId, contentType, bytes])
    })
  }

  /** Back to the initials; idempotent. */
  async deleteAvatar (userId: string): Promise<void> {
    await this.changeAvatar(userId, async (db) => {
      const { rowCount } = await db.query('DELETE FROM avatars WHERE user_id = $1', [userId])
      return rowCount !== 0
    })
  }

  /** Public (an <img> sends no bearer token): the upload, else the initials on a colour. */
  async avatar (userId: string): Promise<AvatarImage> {
    const { rows } = await this.pool.query<{ display_name: string, content_type: string | null, bytes: Buffer | null }>(
      'SELECT u.display_name, a.content_type, a.bytes FROM users u LEFT JOIN avatars a ON a.user_id = u.id WHERE u.id = $1', [userId])
    const r = rows[0]
    if (!r) throw errors.userNotFound()
    if (r.content_type && r.bytes) return { contentType: r.content_type, body: r.bytes }
    return { contentType: 'image/svg+xml; charset=utf-8', body: initialsSvg(userId, r.display_name) }
  }

  private async changeAvatar (userId: string, write: (db: pg.PoolClient) => Promise<boolean | void>) {
    await withTransaction(this.pool, async (db) => {
      if (await write(db) === false) return
      const { rows } = await db.query<PersonRow>(`UPDATE users u SET avatar_version = avatar_version + 1 WHERE id = $1
        RETURNING u.id, u.handle, u.display_name, u.avatar_version`, [userId])
      if (!rows[0]) throw errors.userNotFound()
      await appendUserEvents(db, [profileEvent(rows[0])])
    })
    this.nudge()
  }
}

const profileEvent = (row: PersonRow) =>
  userEvent('user.profile_updated', row.id, { handle: row.handle, displayName: row.display_name, avatarVersion: row.avatar_version })
