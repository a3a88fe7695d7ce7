import { AppError } from '@watch-together/service-kit'
import { accountErrors } from './accounts/account-errors.js'

/** room-api's domain errors: stable codes (ROOM_ prefix) clients switch on. */
export const errors = {
  authRequired: () => new AppError('ROOM_AUTH_REQUIRED', 401, 'a bearer token is required'),
  authInvalid: () => new AppError('ROOM_AUTH_INVALID', 401, 'the bearer token is invalid'),
  authExpired: () => new AppError('ROOM_AUTH_EXPIRED', 401, 'the bearer token has expired'),
  authUnavailable: () => new AppError('ROOM_AUTH_UNAVAILABLE', 503, "the Auth service's signing keys cannot be fetched; try again shortly"),
  roomNotFound: () => new AppError('ROOM_NOT_FOUND', 404, 'no such room'),
  inviteNotFound: () => new AppError('ROOM_INVITE_NOT_FOUND', 404, 'no room has this invite code'),
  filmNotFound: () => new AppError('ROOM_FILM_NOT_FOUND', 404, 'no such film'),
  roomClosed: () => new AppError('ROOM_CLOSED', 410, 'the room is closed'),
  alreadyActive: (userId: string) =>
    new AppError('ROOM_ALREADY_ACTIVE', 409, `user "${userId}" already has an active room`),
  notMember: () => new AppError('ROOM_NOT_MEMBER', 403, 'you are not in this room'),
  notHost: () => new AppError('ROOM_NOT_HOST', 403, 'only the host may do this'),
  targetNotPresent: () => new AppError('ROOM_TARGET_NOT_PRESENT', 409, 'the new host must be in the room'),
  banned: () => new AppError('ROOM_BANNED', 403, 'the host removed you from this room and the invite no longer admits you'),
  memberNotFound: () => new AppError('ROOM_MEMBER_NOT_FOUND', 404, 'no present member of this room has that id'),
  moderateSelf: () => new AppError('ROOM_MODERATE_SELF', 400, 'the host cannot remove or mute themself (leave or hand over instead)'),
  nameTaken: (name: string, suggestion: string) =>
    new AppError('ROOM_NAME_TAKEN', 409, `an active room is already called "${name}"; try "${suggestion}"`,
      [{ code: 'ROOM_NAME_TAKEN', message: `an active room is already called "${name}"; try "${suggestion}"`, path: 'body.name', suggestion }]),
  nameNotFound: () => new AppError('ROOM_NAME_NOT_FOUND', 404, 'no active room has this name'),
  notFriend: (userIds: string[]) => new AppError('ROOM_NOT_FRIEND', 403, `only friends can be invited; not friends: ${userIds.slice(0, 5).join(', ')}`),
  selfFriend: () => new AppError('ROOM_FRIEND_SELF', 400, 'you cannot befriend yourself'),
  ...accountErrors,
  rateLimited: (retryMs: number) =>
    new AppError('ROOM_RATE_LIMITED', 429, `too many requests; retry in ${Math.ceil(retryMs / 1000)} s`)
}
