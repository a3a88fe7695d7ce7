import type { PlayerState, RealtimeErrorCode } from '@watch-together/protocol'

/** Codes of errors raised by the SDK itself (the server's codes start with RT_). */
export type ClientErrorCode = 'WT_NOT_CONNECTED' | 'WT_DISCONNECTED' | 'WT_TIMEOUT' | 'WT_CLOSED'

/** A failed command or connection: `code` is the server's RT_* code or the SDK's WT_* code. */
export class RoomError extends Error {
  constructor (readonly code: RealtimeErrorCode | ClientErrorCode, message: string, readonly state?: PlayerState) {
    super(message)
    this.name = 'RoomError'
  }
}
