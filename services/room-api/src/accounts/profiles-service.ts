import type pg from 'pg'
import { withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import { appendUserEvents } from '../outbox/outbox-repository.js'
import { userEvent } from '../outbox/user-events.js'
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
      await this.users.putAvatar(db, userId, contentType, bytes)
    })
  }

  /** Back to the initials; idempotent. */
  async deleteAvatar (userId: string): Promise<void> {
    await this.changeAvatar(userId, async (db) => {
      return await this.users.deleteAvatar(db, userId)
    })
  }

  /** Public (an <img> sends no bearer token): the upload, else the initials on a colour. */
  async avatar (userId: string): Promise<AvatarImage> {
    const r = await this.users.avatar(userId)
    if (!r) throw errors.userNotFound()
    if (r.content_type && r.bytes) return { contentType: r.content_type, body: r.bytes }
    return { contentType: 'image/svg+xml; charset=utf-8', body: initialsSvg(userId, r.display_name) }
  }

  private async changeAvatar (userId: string, write: (db: pg.PoolClient) => Promise<boolean | void>) {
    await withTransaction(this.pool, async (db) => {
      if (await write(db) === false) return
      const row = await this.users.bumpAvatarVersion(db, userId)
      if (!row) throw errors.userNotFound()
      await appendUserEvents(db, [profileEvent(row)])
    })
    this.nudge()
  }
}

const profileEvent = (row: PersonRow) =>
  userEvent('user.profile_updated', row.id, { handle: row.handle, displayName: row.display_name, avatarVersion: row.avatar_version })
