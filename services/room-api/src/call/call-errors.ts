import { AppError } from '@watch-together/service-kit'

/** The call's own refusals (membership refusals reuse the rooms' codes: ROOM_NOT_MEMBER, ROOM_BANNED, …). */
export const callErrors = {
  notInCall: () => new AppError('CALL_NOT_IN_CALL', 409, 'that member is not in the call'),
  trackNotFound: () => new AppError('CALL_TRACK_NOT_FOUND', 404, 'you publish no such track in the call'),
  stateDiffers: () => new AppError('CALL_STATE_DIFFERS', 409, 'the call server does not show that track in that state; try again'),
  unavailable: () => new AppError('CALL_UNAVAILABLE', 503, 'the call server cannot be reached; try again shortly'),
  webhookInvalid: () => new AppError('CALL_WEBHOOK_INVALID', 401, 'the webhook is not signed by our LiveKit key')
}
