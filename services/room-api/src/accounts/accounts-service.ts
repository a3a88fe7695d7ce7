import { randomUUID } from 'node:crypto'
import type { ChangePasswordBody, SignInBody, SignUpBody, TelegramAuthBody } from '@watch-together/protocol'
import type { FastifyReply } from 'fastify'
import type pg from 'pg'
import { isUniqueViolation } from '../db/errors.js'
import { withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import type { Passwords } from './passwords.js'
import type { SessionStore, SessionTokens } from './session-store.js'
import type { SignInThrottle } from './sign-in-throttle-store.js'
import { insertTelegramIdentity, linkTelegramIdentity, markTelegramLoginUsed, telegramUser, updateTelegramUsername } from './identities-repository.js'
import { type TelegramOptions, telegramDisplayName, verifyTelegramLogin } from './telegram.js'
import type { UsersRepository } from './users-repository.js'

export interface AccountsDeps {
  pool: pg.Pool
  users: UsersRepository
  sessions: SessionStore
  passwords: Passwords
  throttle: SignInThrottle
  /** Absent: sign-in with Telegram is off (ROOM_TELEGRAM_DISABLED). */
  telegram: TelegramOptions | undefined
}

/** A session just opened for a user: the route turns it into an access token and cookies. */
export interface Opened { userId: string, tokens: SessionTokens }

/** Sign-up, sign-in (password and Telegram), password change, sign-out everywhere. */
export class AccountsService {
  constructor (private readonly deps: AccountsDeps) {}

  async signUp (body: SignUpBody): Promise<Opened> {
    const { users, sessions, passwords, pool } = this.deps
    const passwordHash = await passwords.hash(body.password)
    const userId = randomUUID()
    const tokens = await withTransaction(pool, async (db) => {
      await users.insert(db, { id: userId, displayName: body.displayName, origin: 'password', handle: body.handle, email: body.email, passwordHash })
      return await sessions.open(db, userId, 'password')
    })
    return { userId, tokens }
  }

  /**
   * Unknown email and wrong password take the same path — the same argon2 work (a dummy hash for an
   * unknown email), the same failure count, the same answer (ROOM_SIGN_IN_FAILED) — so neither
   * the body, the status nor the timing tells whether an account exists. Locks (ROOM_SIGN_IN_LOCKED)
   * are keyed by the email given, existing or not. `reply` gets Retry-After on a lock.
   */
  async signIn (body: SignInBody, address: string, reply: FastifyReply): Promise<Opened> {
    const { users, sessions, passwords, throttle, pool } = this.deps
    const lockedMs = await throttle.lockedFor(body.email, address)
    if (lockedMs > 0) {
      reply.header('retry-after', String(Math.ceil(lockedMs / 1000)))
      throw errors.signInLocked(lockedMs)
    }
    const user = await users.byEmail(body.email)
    const ok = await passwords.verify(user?.password_hash ?? null, body.password)
    if (!ok || !user) {
      await throttle.failed(body.email, address)
      throw errors.signInFailed()
    }
    await throttle.succeeded(body.email)
    if (passwords.outdated(user.password_hash)) {
      await users.setPasswordHash(pool, user.id, await passwords.hash(body.password))
    }
    return { userId: user.id, tokens: await sessions.open(pool, user.id, 'password') }
  }

  /** Every session of the user ends, this one included; a new session is opened for the caller. */
  async changePassword (userId: string, body: ChangePasswordBody, address: string, reply: FastifyReply): Promise<Opened> {
    const { users, sessions, passwords, throttle, pool } = this.deps
    const user = await users.credentials(userId)
    if (!user?.password_hash || !user.email) throw errors.passwordNotSet()
    // A stolen access token must not become unlimited guesses at the password either.
    const lockedMs = await throttle.lockedFor(user.email, address)
    if (lockedMs > 0) {
      reply.header('retry-after', String(Math.ceil(lockedMs / 1000)))
      throw errors.signInLocked(lockedMs)
    }
    if (!await passwords.verify(user.password_hash, body.currentPassword)) {
      await throttle.failed(user.email, address)
      throw errors.passwordWrong()
    }
    const passwordHash = await passwords.hash(body.newPassword)
    const tokens = await withTransaction(pool, async (db) => {
      await users.setPasswordHash(db, userId, passwordHash)
      await sessions.revokeAll(db, userId, 'password_changed')
      return await sessions.open(db, userId, 'password')
    })
    return { userId, tokens }
  }

  async signOutEverywhere (userId: string): Promise<number> {
    return await this.deps.sessions.revokeAll(this.deps.pool, userId, 'sign_out_everywhere')
  }

  /**
   * Sign in with Telegram: a verified, fresh, unused payload signs in the account linked to that
   * Telegram id, or creates one (handle from the Telegram username when free, name from theirs).
   */
  async telegramSignIn (body: TelegramAuthBody, attempt = 0): Promise<Opened & { created: boolean }> {
    const telegram = this.requireTelegram(body)
    const { users, sessions, pool } = this.deps
    return await withTransaction(pool, async (db) => {
      await markTelegramLoginUsed(db, body, telegram.maxAgeSeconds)
      const subject = String(body.id)
      let userId = await telegramUser(db, subject)
      const created = !userId
      if (!userId) {
        userId = randomUUID()
        await users.insert(db, { id: userId, displayName: telegramDisplayName(body), origin: 'telegram', handleHint: body.username ?? telegramDisplayName(body) })
        await insertTelegramIdentity(db, subject, userId, body.username ?? null)
      } else {
        await updateTelegramUsername(db, subject, body.username ?? null)
      }
      return { userId, created, tokens: await sessions.open(db, userId, 'telegram') }
    }).catch(async (err: unknown) => {
      // Two first sign-ins of one Telegram account at once: the loser's transaction is undone and
      // run again, and finds the account the winner made.
      if (attempt === 0 && isUniqueViolation(err, 'user_identities_pkey')) return await this.telegramSignIn(body, 1)
      throw err
    })
  }

  /** Links a verified Telegram login to the signed-in account (idempotent for the same pair). */
  async telegramLink (userId: string, body: TelegramAuthBody): Promise<void> {
    const telegram = this.requireTelegram(body)
    await withTransaction(this.deps.pool, async (db) => {
      await markTelegramLoginUsed(db, body, telegram.maxAgeSeconds)
      await linkTelegramIdentity(db, String(body.id), userId, body.username ?? null)
    })
  }

  private requireTelegram (body: TelegramAuthBody): TelegramOptions {
    const telegram = this.deps.telegram
    if (!telegram) throw errors.telegramDisabled()
    verifyTelegramLogin(body, telegram)
    return telegram
  }
}
