import { AppError } from '@watch-together/service-kit'

const retryIn = (ms: number) => `retry in ${Math.max(1, Math.ceil(ms / 1000))} s`

/** Accounts, sessions, Telegram, profiles and friends: stable codes (ROOM_ prefix, like the rest of room-api). */
export const accountErrors = {
  accountsDisabled: () => new AppError('ROOM_ACCOUNTS_DISABLED', 404, 'accounts are off here (the Auth service signs people in)'),
  /** The one answer for an unknown email and a wrong password alike: nothing tells them apart. */
  signInFailed: () => new AppError('ROOM_SIGN_IN_FAILED', 401, 'the email or the password is wrong'),
  signInLocked: (retryMs: number) => new AppError('ROOM_SIGN_IN_LOCKED', 429, `too many failed sign-ins; ${retryIn(retryMs)}`),
  emailTaken: () => new AppError('ROOM_EMAIL_TAKEN', 409, 'an account with this email exists; sign in instead'),
  handleTaken: (handle: string, suggestion: string) =>
    new AppError('ROOM_HANDLE_TAKEN', 409, `the handle @${handle} is taken; try @${suggestion}`,
      [{ code: 'ROOM_HANDLE_TAKEN', message: `the handle @${handle} is taken; try @${suggestion}`, path: 'body.handle', suggestion }]),
  passwordWrong: () => new AppError('ROOM_PASSWORD_WRONG', 403, 'the current password is wrong'),
  passwordNotSet: () => new AppError('ROOM_PASSWORD_NOT_SET', 409, 'this account signs in with Telegram and has no password'),
  refreshInvalid: () => new AppError('ROOM_REFRESH_INVALID', 401, 'no valid refresh token; sign in again'),
  refreshReused: () => new AppError('ROOM_REFRESH_REUSED', 401, 'this refresh token was already used; the session is revoked, sign in again'),
  sessionRevoked: () => new AppError('ROOM_SESSION_REVOKED', 401, 'the session was signed out; sign in again'),
  csrfFailed: () => new AppError('ROOM_CSRF_FAILED', 403, "the x-csrf-token header is missing or is not this session's"),
  telegramDisabled: () => new AppError('ROOM_TELEGRAM_DISABLED', 404, 'sign-in with Telegram is not configured here'),
  telegramInvalid: () => new AppError('ROOM_TELEGRAM_INVALID', 401, 'the Telegram login data does not verify'),
  telegramStale: () => new AppError('ROOM_TELEGRAM_STALE', 401, 'the Telegram login is too old (or from the future); log in again'),
  telegramReplayed: () => new AppError('ROOM_TELEGRAM_REPLAYED', 401, 'this Telegram login was already used; log in again'),
  telegramTaken: () => new AppError('ROOM_TELEGRAM_TAKEN', 409, 'this Telegram account is linked to another account'),
  telegramAlreadyLinked: () => new AppError('ROOM_TELEGRAM_ALREADY_LINKED', 409, 'your account is linked to another Telegram account'),
  avatarUnsupported: () => new AppError('ROOM_AVATAR_UNSUPPORTED', 415, 'an avatar is a PNG, JPEG, WebP or GIF image'),
  avatarTooLarge: (maxBytes: number, maxSide: number) =>
    new AppError('ROOM_AVATAR_TOO_LARGE', 413, `an avatar is at most ${Math.floor(maxBytes / 1024)} KiB and ${maxSide}×${maxSide} pixels`),
  userNotFound: () => new AppError('ROOM_USER_NOT_FOUND', 404, 'no such user'),
  requestExists: () => new AppError('ROOM_FRIEND_REQUEST_EXISTS', 409, 'you already asked them; wait for an answer'),
  alreadyFriends: () => new AppError('ROOM_ALREADY_FRIENDS', 409, 'you are friends already'),
  requestNotFound: () => new AppError('ROOM_FRIEND_REQUEST_NOT_FOUND', 404, 'no such pending friend request'),
  userBlocked: () => new AppError('ROOM_USER_BLOCKED', 409, 'you blocked this user; unblock them first'),
  blockSelf: () => new AppError('ROOM_BLOCK_SELF', 400, 'you cannot block yourself')
}
