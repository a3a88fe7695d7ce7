import { Email, Handle, RESERVED_HANDLES } from '@watch-together/protocol'
import type { ApiError } from './api.js'
import { sentence } from './room-names.js'

/**
 * Accounts in plain words: what the page checks before asking room-api (the same rules as the
 * protocol's), and room-api's refusals — codes never reach the user.
 */

/** The largest avatar room-api takes by default (AVATAR_MAX_BYTES), and the types it reads. */
export const AVATAR_MAX_BYTES = 512 * 1024
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif']
export const PASSWORD_MIN = 10

/** A wait as people say it: "45 seconds", "about 2 minutes", "about 15 minutes". */
export function waitWords (seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds))
  if (s < 60) return `${s} ${s === 1 ? 'second' : 'seconds'}`
  const m = Math.ceil(s / 60)
  return `about ${m} ${m === 1 ? 'minute' : 'minutes'}`
}

export type AccountField = 'email' | 'password' | 'displayName' | 'handle' | 'currentPassword' | 'newPassword'

/** A refusal for the form: the field it is about (if one), the words, and a value that would work. */
export interface Problem { field?: AccountField, message: string, suggestion?: string }

export function emailProblem (raw: string): string | null {
  const email = raw.trim()
  if (!email) return 'Please enter your email address.'
  if (!Email.safeParse(email).success) return 'This does not look like an email address (like name@example.com).'
  return null
}

export function passwordProblem (password: string): string | null {
  if (password.length < PASSWORD_MIN) return `Please use at least ${PASSWORD_MIN} characters for your password${password.length > 0 ? ` (this one has ${password.length})` : ''}.`
  if (password.length > 256) return 'That password is too long: at most 256 characters.'
  return null
}

export function displayNameProblem (raw: string): string | null {
  const name = raw.trim()
  if (!name) return 'Please enter a name: it is what friends see.'
  if (name.length > 64) return `That name is too long: at most 64 characters (this one has ${name.length}).`
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) return 'That name has invisible control characters: please type it again.'
  return null
}

/** Why a handle (with or without `@`) is refused, in words; null when it is fine. Empty is fine (optional). */
export function handleProblem (raw: string): string | null {
  const handle = raw.trim().toLowerCase().replace(/^@/, '')
  if (!handle) return null
  if (Handle.safeParse(handle).success) return null
  if (handle.length < 3) return 'Too short: a handle has at least 3 characters.'
  if (handle.length > 30) return `Too long: a handle has at most 30 characters (this one has ${handle.length}).`
  if (!/^[a-z]/.test(handle)) return 'A handle starts with a latin letter.'
  const bad = /[^a-z0-9_]/.exec(handle)
  if (bad) return `Only latin letters, digits and underscores can be used in a handle: “${bad[0] === ' ' ? 'space' : bad[0]}” cannot.`
  if (RESERVED_HANDLES.has(handle)) return `@${handle} is reserved for the site itself: please pick another.`
  return 'That handle cannot be used: please pick another.'
}

const FIELDS: Record<string, AccountField> = {
  'body.email': 'email',
  'body.password': 'password',
  'body.displayName': 'displayName',
  'body.handle': 'handle',
  'body.currentPassword': 'currentPassword',
  'body.newPassword': 'newPassword'
}

/** room-api's refusal of a sign-in, a sign-up, a Telegram sign-in, a profile edit or a password change, in words. */
export function accountProblem (err: ApiError, typed: { email?: string, handle?: string } = {}): Problem {
  switch (err.code) {
    case 'ROOM_SIGN_IN_FAILED':
      return { message: 'That email and password do not match an account. Check both (is Caps Lock on?) and try again.' }
    case 'ROOM_SIGN_IN_LOCKED':
      return { message: `Too many failed attempts to sign in to this account, so it is paused for safety. Please try again in ${waitWords(err.retryAfterSec ?? 900)}.` }
    case 'ROOM_RATE_LIMITED':
      return { message: `Too many attempts from this network. Please wait ${waitWords(err.retryAfterSec ?? 60)} and try again.` }
    case 'ROOM_EMAIL_TAKEN':
      return { field: 'email', message: `There is already an account with ${typed.email?.trim() ? typed.email.trim().toLowerCase() : 'this email'}. Sign in to it instead.` }
    case 'ROOM_HANDLE_TAKEN': {
      const suggestion = err.about('handle')?.suggestion
      const handle = typed.handle?.trim().replace(/^@/, '').toLowerCase()
      return { field: 'handle', message: `@${handle || 'that handle'} is already taken.`, ...(suggestion ? { suggestion } : {}) }
    }
    case 'ROOM_PASSWORD_WRONG':
      return { field: 'currentPassword', message: 'Your current password is not right.' }
    case 'ROOM_PASSWORD_NOT_SET':
      return { message: 'This account signs in with Telegram and has no password to change.' }
    case 'ROOM_ACCOUNTS_DISABLED':
      return { message: 'This server does not keep accounts of its own: sign in with the token your Auth service gives you.' }
    case 'ROOM_TELEGRAM_STALE':
    case 'ROOM_TELEGRAM_REPLAYED':
      return { message: 'That Telegram login has expired. Please press the Telegram button again.' }
    case 'ROOM_TELEGRAM_INVALID':
      return { message: 'Telegram’s answer could not be verified. Please try again.' }
    case 'ROOM_TELEGRAM_DISABLED':
      return { message: 'Signing in with Telegram is not available on this server.' }
    case 'NETWORK':
      return { message: err.message }
    case 'VALIDATION_FAILED': {
      const item = err.items.find((i) => i.path && FIELDS[i.path])
      const field = item?.path ? FIELDS[item.path] : undefined
      if (field === 'email') return { field, message: 'This does not look like an email address (like name@example.com).' }
      if (field === 'password' || field === 'newPassword') return { field, message: passwordProblem('x'.repeat(PASSWORD_MIN - 1)) ?? '' }
      if (field === 'handle') return { field, message: handleProblem(typed.handle ?? '') ?? sentence(item?.message ?? err.message) }
      if (field === 'displayName') return { field, message: 'That name cannot be used: 1–64 characters, no control characters.' }
      return { message: sentence(item?.message ?? err.message) }
    }
    default:
      return { message: err.status >= 500 ? 'Something went wrong on our side. Please try again in a moment.' : sentence(err.message) }
  }
}

/** Why the last session ended (a failed refresh), for the sign-in page; null when there is nothing to say. */
export function endedWords (code: string | null): string | null {
  switch (code) {
    case 'ROOM_REFRESH_REUSED': return 'You were signed out for safety: this session was used from somewhere else. Please sign in again.'
    case 'ROOM_SESSION_REVOKED': return 'You were signed out (on this device or everywhere). Please sign in again.'
    case 'ROOM_REFRESH_INVALID': return 'Your session has ended. Please sign in again.'
    default: return null
  }
}

/** An avatar file checked before uploading: the type and size room-api takes (it checks the bytes again). */
export function avatarProblem (file: { type: string, size: number, name?: string }): string | null {
  if (!AVATAR_TYPES.includes(file.type)) return 'Please choose a PNG, JPEG, WebP or GIF picture.'
  if (file.size > AVATAR_MAX_BYTES) {
    return `That picture is ${Math.ceil(file.size / 1024)} KB: the largest is ${AVATAR_MAX_BYTES / 1024} KB. Please pick a smaller one (or crop it).`
  }
  if (file.size === 0) return 'That file is empty.'
  return null
}

/** room-api's refusal of a friends action (request, accept, remove, block…), in words. */
export function friendProblem (err: ApiError, name = 'them'): string {
  switch (err.code) {
    case 'ROOM_USER_NOT_FOUND': return 'That person cannot be found any more.'
    case 'ROOM_FRIEND_REQUEST_EXISTS': return `You already asked ${name}: wait for an answer.`
    case 'ROOM_ALREADY_FRIENDS': return `You and ${name} are friends already.`
    case 'ROOM_USER_BLOCKED': return `You blocked ${name}: unblock them first.`
    case 'ROOM_FRIEND_REQUEST_NOT_FOUND': return 'That request is no longer there (it was answered or withdrawn).'
    case 'ROOM_FRIEND_SELF':
    case 'ROOM_BLOCK_SELF': return 'That is you.'
    case 'ROOM_NOT_FRIEND': return `Only friends can be invited, and ${name === 'them' ? 'some of them are' : `${name} is`} not (any more).`
    case 'NETWORK': return err.message
    default: return err.status >= 500 ? 'Something went wrong on our side. Please try again in a moment.' : sentence(err.message)
  }
}
