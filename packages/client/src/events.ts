import type { Actor, ChatMessage, ControlMode, FloatingReaction, HostChangeReason, LeaveReason, Member, PlayerCommand, PlayerState, RoomCountersFrame, SessionReadyFrame } from '@watch-together/protocol'
import type { z } from 'zod'
import type { RoomError } from './errors.js'

export type SessionReady = z.infer<typeof SessionReadyFrame>
export type ActorInfo = z.infer<typeof Actor>

/**
 * The live counters realtime pushes (`room.counters`, on change, at most once a second): in this room,
 * members online, members whose player reports playing, members buffering; service-wide, users
 * connected anywhere, rooms with someone in them, users watching this room's film in any room.
 */
export type RoomCounters = Omit<z.infer<typeof RoomCountersFrame>, 'type'>

/** An operator's announcement (`announcement.sent`): to this room, or to every active room (`all`). */
export interface Announcement { text: string, scope: 'room' | 'all', at: number, seq: number }

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/**
 * What changed the state: null for a snapshot (join, resume) or a rejection's refresh.
 * `actor` is null when the server started playback itself (after waiting for buffering members).
 */
export interface StateChange { command: PlayerCommand, actor: ActorInfo | null, seq: number, mine: boolean }

/** `joined` / `left`: a member's first connection came or their last went; `departed`: their membership ended. */
export type PresenceChange =
  | { kind: 'joined', member: Member }
  | { kind: 'left', userId: string }
  | { kind: 'departed', userId: string, reason: LeaveReason }
  | { kind: 'host', fromUserId: string | null, toUserId: string }
  | { kind: 'muted', userId: string, muted: boolean }
  | null

/** Another member's (or this client's) membership ended: they left, or the host removed (and maybe banned) them. */
export interface MemberLeft { userId: string, name: string, reason: LeaveReason, actor: ActorInfo | null }

/**
 * This client's own membership ended: final, the client is closed and will not reconnect.
 * `code` is the close code (4012 left, 4011 removed, 4013 banned), absent when the member.left
 * frame arrived before the close; `actor` is the host who removed them, when known.
 */
export interface MembershipEnded { reason: LeaveReason, code?: number, actor: ActorInfo | null }

export interface RoomClientEvents {
  connection: (status: ConnectionStatus, info: { code?: number, reason?: string, retryInMs?: number }) => void
  ready: (frame: SessionReady) => void
  state: (state: PlayerState, change: StateChange | null) => void
  chat: (message: ChatMessage) => void
  reaction: (reaction: { messageId: string, emoji: string, userId: string }) => void
  /** A reaction floated over the video by someone (live only). */
  floated: (reaction: { userId: string, name: string, emoji: FloatingReaction }) => void
  /** The member list changed (presence, departure, host, mute): all current members and the change. */
  presence: (members: Member[], change: PresenceChange) => void
  memberLeft: (left: MemberLeft) => void
  hostChanged: (change: { fromUserId: string | null, toUserId: string, reason: z.infer<typeof HostChangeReason> }) => void
  muteChanged: (change: { userId: string, muted: boolean, actor: ActorInfo | null }) => void
  messageDeleted: (deleted: { messageId: string, actor: ActorInfo }) => void
  /** This client's membership ended (left, removed, banned): the client is closed for good. */
  membershipEnded: (ended: MembershipEnded) => void
  typing: (typing: { userId: string, name: string, typing: boolean }) => void
  buffering: (buffering: { userId: string, buffering: boolean, itemId: string | null }) => void
  /** Live ones and, after a resume, the ones missed while disconnected (each once). */
  announcement: (announcement: Announcement) => void
  /** The room's and the service's live counters changed (not a room event: no seq, never replayed). */
  counters: (counters: RoomCounters) => void
  controlMode: (mode: ControlMode) => void
  roomClosed: (reason: string) => void
  clock: (clock: { offsetMs: number, errorMs: number, roundTripMs: number }) => void
  error: (error: RoomError) => void
}
