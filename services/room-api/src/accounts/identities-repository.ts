import type { TelegramAuthBody } from '@watch-together/protocol'
import type pg from 'pg'
import { isUniqueViolation } from '../db/errors.js'
import type { Db } from '../db/transaction.js'
import { errors } from '../errors.js'

/** The user_identities table (accounts linked to another provider: Telegram) and the Telegram replay marks. */

/**
 * Marks a verified payload used (by its hash) until it would be stale anyway: the same payload
 * presented again within the window is a replay. Inside the sign-in's transaction, so a sign-in
 * that fails later leaves the payload usable.
 */
export async function markTelegramLoginUsed (db: Db, body: TelegramAuthBody, maxAgeSeconds: number): Promise<void> {
  const { rowCount } = await db.query(`INSERT INTO telegram_auth_uses (hash, expires_at)
    VALUES ($1, to_timestamp($2::double precision + $3 + 60)) ON CONFLICT (hash) DO NOTHING`,
  [body.hash.toLowerCase(), Number(body.auth_date), maxAgeSeconds])
  if (rowCount === 0) throw errors.telegramReplayed()
}

export async function sweepTelegramLogins (pool: pg.Pool): Promise<void> {
  await pool.query('DELETE FROM telegram_auth_uses WHERE expires_at < now()')
}

/** The account a Telegram id signs in to, if linked. */
export async function telegramUser (db: Db, subject: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    "SELECT user_id FROM user_identities WHERE provider = 'telegram' AND subject = $1", [subject])
  return rows[0]?.user_id
}

/** A new link (fails on the primary key when another sign-in linked the same Telegram id first). */
export async function insertTelegramIdentity (db: Db, subject: string, userId: string, username: string | null): Promise<void> {
  await db.query("INSERT INTO user_identities (provider, subject, user_id, username) VALUES ('telegram', $1, $2, $3)", [subject, userId, username])
}

export async function updateTelegramUsername (db: Db, subject: string, username: string | null): Promise<void> {
  await db.query("UPDATE user_identities SET username = $2 WHERE provider = 'telegram' AND subject = $1", [subject, username])
}

/**
 * Links `subject` to `userId` (idempotent for the same pair): ROOM_TELEGRAM_TAKEN when the Telegram
 * id is another account's, ROOM_TELEGRAM_ALREADY_LINKED when this account has another Telegram id.
 */
export async function linkTelegramIdentity (db: Db, subject: string, userId: string, username: string | null): Promise<void> {
  const { rows } = await db.query<{ subject: string, user_id: string }>(
    "SELECT subject, user_id FROM user_identities WHERE provider = 'telegram' AND (subject = $1 OR user_id = $2)", [subject, userId])
  if (rows.some((r) => r.subject === subject && r.user_id !== userId)) throw errors.telegramTaken()
  if (rows.some((r) => r.user_id === userId && r.subject !== subject)) throw errors.telegramAlreadyLinked()
  try {
    const { rowCount } = await db.query(`INSERT INTO user_identities (provider, subject, user_id, username) VALUES ('telegram', $1, $2, $3)
      ON CONFLICT (provider, subject) DO UPDATE SET username = EXCLUDED.username WHERE user_identities.user_id = EXCLUDED.user_id`,
    [subject, userId, username])
    if (rowCount === 0) throw errors.telegramTaken() // linked elsewhere a moment ago
  } catch (err) {
    if (isUniqueViolation(err, 'user_identities_user_id_provider_key')) throw errors.telegramAlreadyLinked()
    throw err
  }
}
