import type { RealtimeErrorCode, ServerFrame, TicketClaims } from '@watch-together/protocol'
import type { Conn } from './hub.js'
import { END_CLOSE_CODES, END_REASONS } from './membership.js'
import type { Refusal } from './room-log.js'

/** One authenticated socket in a room. */
export interface Session {
  conn: Conn
  claims: TicketClaims
  connectionId: string
  buffering: boolean
  /** Sends a frame to this socket only (checked against ServerFrame when FRAME_CHECKS is on). */
  reply (frame: ServerFrame): void
  error (code: RealtimeErrorCode, message: string, extra?: { ref?: string | undefined, path?: string, retryAfterMs?: number }): void
}

/** The member-check part of an emit for this session's acts (room-log.ts `member`). */
export function actOf (session: Session, checkMuted = false) {
  return { userId: session.claims.sub, epoch: session.claims.epoch, checkMuted }
}

/**
 * Answers an act the emit script refused: muted gets RT_MUTED; an ended membership gets
 * RT_NOT_MEMBER and the socket closes with the membership's close code (the kick that closes
 * it everywhere may still be on its way).
 */
export function refuseAct (session: Session, refused: Refusal, ref?: string) {
  if (refused === 'muted') return session.error('RT_MUTED', 'the host muted you in this room', { ref })
  session.error('RT_NOT_MEMBER', END_REASONS[refused], { ref })
  session.conn.close(END_CLOSE_CODES[refused], END_REASONS[refused])
}

/** The room's host as realtime knows it (host.changed events); until one arrives, the ticket's role. */
export function isHost (session: Session, hostId: string | null) {
  return hostId ? hostId === session.claims.sub : session.claims.role === 'host'
}
