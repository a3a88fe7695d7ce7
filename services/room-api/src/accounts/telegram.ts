import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { TelegramAuthBody } from '@watch-together/protocol'
import { errors } from '../errors.js'

export interface TelegramOptions { botToken: string, maxAgeSeconds: number }

/** Telegram's data-check-string: every received field but `hash`, as `key=value`, sorted, joined by \n. */
export function dataCheckString (body: Record<string, string | number>): string {
  return Object.keys(body).filter((k) => k !== 'hash').sort().map((k) => `${k}=${body[k]}`).join('\n')
}

/**
 * Verifies a Login Widget payload exactly as https://core.telegram.org/widgets/login#checking-authorization
 * says: HMAC-SHA256 of the data-check-string keyed with SHA-256(bot token), compared in constant
 * time with `hash`; then `auth_date` no older than the window (and not from the future, past a
 * minute of clock skew). The signature is checked first, so a forger learns nothing about freshness.
 */
export function verifyTelegramLogin (body: TelegramAuthBody, opts: TelegramOptions, nowSeconds = Math.floor(Date.now() / 1000)): void {
  const secret = createHash('sha256').update(opts.botToken).digest()
  const expected = createHmac('sha256', secret).update(dataCheckString(body)).digest()
  const given = Buffer.from(body.hash, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw errors.telegramInvalid()
  const age = nowSeconds - Number(body.auth_date)
  if (!Number.isSafeInteger(age) || age > opts.maxAgeSeconds || age < -60) throw errors.telegramStale()
}

/** The display name a Telegram user brings: first and last name, else the username, else their id. */
export function telegramDisplayName (body: TelegramAuthBody): string {
  const name = [body.first_name, body.last_name].filter(Boolean).join(' ').trim()
  // eslint-disable-next-line no-control-regex
  const clean = (name || body.username || `Telegram ${body.id}`).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
  return clean.slice(0, 64).trim() || `Telegram ${body.id}`
}
