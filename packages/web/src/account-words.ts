import { Email, Handle, RESERVED_HANDLES } from '@watch-together/protocol'
import type { ApiError } from './api.js'
import { errorText, i18n, t } from './i18n/index.js'

/**
 * Accounts in plain words, in the page's language: what the page checks before asking room-api (the
 * same rules as the protocol's), and room-api's refusals by their stable codes — never a code, a JSON
 * body or a validator's message.
 */

/** The largest avatar room-api takes by default (AVATAR_MAX_BYTES), and the types it reads. */
export const AVATAR_MAX_BYTES = 512 * 1024
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif']
export const PASSWORD_MIN = 10

/** A wait as people say it: "45 seconds", "about 2 minutes", "about 15 minutes". */
export function waitWords (seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds))
  return s < 60 ? t('wait.seconds', { count: s }) : t('wait.minutes', { count: Math.ceil(s / 60) })
}

export type AccountField = 'email' | 'password' | 'displayName' | 'handle' | 'currentPassword' | 'newPassword'

/** A refusal for the form: the field it is about (if one), the words, and a value that would work. */
export interface Problem { field?: AccountField, message: string, suggestion?: string }

export function emailProblem (raw: string): string | null {
  const email = raw.trim()
  if (!email) return t('account.emailEmpty')
  if (!Email.safeParse(email).success) return t('account.emailInvalid')
  return null
}

export function passwordProblem (password: string): string | null {
  if (password.length < PASSWORD_MIN) {
    return password.length > 0 ? t('account.passwordShortHas', { min: PASSWORD_MIN, count: password.length }) : t('account.passwordShort', { min: PASSWORD_MIN })
  }
  if (password.length > 256) return t('account.passwordLong')
  return null
}

export function displayNameProblem (raw: string): string | null {
  const name = raw.trim()
  if (!name) return t('account.nameEmpty')
  if (name.length > 64) return t('account.nameLong', { count: name.length })
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) return t('account.nameControl')
  return null
}

/** Why a handle (with or without `@`) is refused, in words; null when it is fine. Empty is fine (optional). */
export function handleProblem (raw: string): string | null {
  const handle = raw.trim().toLowerCase().replace(/^@/, '')
  if (!handle) return null
  if (Handle.safeParse(handle).success) return null
  if (handle.length < 3) return t('account.handleShort')
  if (handle.length > 30) return t('account.handleLong', { count: handle.length })
  if (!/^[a-z]/.test(handle)) return t('account.handleStart')
  const bad = /[^a-z0-9_]/.exec(handle)
  if (bad) return t('account.handleChars', { char: bad[0] === ' ' ? t('account.space') : bad[0] })
  if (RESERVED_HANDLES.has(handle)) return t('account.handleReserved', { handle })
  return t('account.handleInvalid')
}

const FIELDS: Record<string, AccountField> = {
  'body.email': 'email',
  'body.password': 'password',
  'body.displayName': 'displayName',
  'body.handle': 'handle',
  'body.currentPassword': 'currentPassword',
  'body.newPassword': 'newPassword'
}

/** The field a refusal is about, for the codes that name one. */
const CODE_FIELDS: Record<string, AccountField> = { ROOM_EMAIL_TAKEN: 'email', ROOM_HANDLE_TAKEN: 'handle', ROOM_PASSWORD_WRONG: 'currentPassword' }

/** A refusal from a server error: "something went wrong on our side" for a 5xx, else the general catalogue. */
function fallback (err: ApiError): string {
  return err.status >= 500 ? t('account.serverError') : errorText(err)
}

/** room-api's refusal of a sign-in, a sign-up, a Telegram sign-in, a profile edit or a password change, in words. */
export function accountProblem (err: ApiError, typed: { email?: string, handle?: string } = {}): Problem {
  if (err.code === 'VALIDATION_FAILED') {
    const item = err.items.find((i) => i.path && FIELDS[i.path])
    const field = item?.path ? FIELDS[item.path] : undefined
    if (field === 'email') return { field, message: t('account.emailInvalid') }
    if (field === 'password' || field === 'newPassword') return { field, message: t('account.passwordShort', { min: PASSWORD_MIN }) }
    if (field === 'handle') return { field, message: handleProblem(typed.handle ?? '') ?? t('account.handleInvalid') }
    if (field === 'displayName') return { field, message: t('account.nameInvalid') }
    return { message: t('account.invalid') }
  }
  const key = `account.errors.${err.code}`
  if (!i18n.exists(key)) return { message: fallback(err) }
  const handle = typed.handle?.trim().replace(/^@/, '').toLowerCase()
  const suggestion = err.code === 'ROOM_HANDLE_TAKEN' ? err.about('handle')?.suggestion : undefined
  const message = t(key, {
    wait: waitWords(err.retryAfterSec ?? (err.code === 'ROOM_SIGN_IN_LOCKED' ? 900 : 60)),
    email: typed.email?.trim() ? typed.email.trim().toLowerCase() : t('account.thisEmail'),
    handle: handle || t('account.thatHandle'),
    max: AVATAR_MAX_BYTES / 1024
  })
  const field = CODE_FIELDS[err.code]
  return { ...(field ? { field } : {}), message, ...(suggestion ? { suggestion } : {}) }
}

/** Why the last session ended (a failed refresh), for the sign-in page; null when there is nothing to say. */
export function endedWords (code: string | null): string | null {
  return code && i18n.exists(`ended.${code}`) ? t(`ended.${code}`) : null
}

/** An avatar file checked before uploading: the type and size room-api takes (it checks the bytes again). */
export function avatarProblem (file: { type: string, size: number, name?: string }): string | null {
  if (!AVATAR_TYPES.includes(file.type)) return t('account.avatarType')
  if (file.size > AVATAR_MAX_BYTES) return t('account.avatarSize', { size: Math.ceil(file.size / 1024), max: AVATAR_MAX_BYTES / 1024 })
  if (file.size === 0) return t('account.avatarEmpty')
  return null
}

/** room-api's refusal of a friends action (request, accept, remove, block…), in words. */
export function friendProblem (err: ApiError, name?: string): string {
  const code = err.code === 'ROOM_NOT_FRIEND' && !name ? 'ROOM_NOT_FRIEND_SOME' : err.code
  const key = `friendErrors.${code}`
  return i18n.exists(key) ? t(key, { name: name ?? t('friendErrors.them') }) : fallback(err)
}

/** "Petr", "Petr and Anna", "Petr, Anna and Ivan", "Petr, Anna and 3 more" (in the page's language). */
export function namesText (names: string[], total = names.length): string {
  const shown = names.slice(0, total > 3 ? 2 : 3)
  const more = total - shown.length
  if (more > 0) return t('list.more', { names: shown.join(', '), count: more })
  if (shown.length <= 1) return shown[0] ?? ''
  return `${shown.slice(0, -1).join(', ')}${t('list.and')}${shown.at(-1)}`
}
