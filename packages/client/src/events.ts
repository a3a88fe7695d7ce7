import type { Actor, ChatMessage, ControlMode, Member, PlayerCommand, PlayerState, SessionReadyFrame } from '@watch-together/protocol'
import type { z } from 'zod'
import type { RoomError } from './errors.js'

export type SessionReady = z.infer<typeof SessionReadyFrame>
export type ActorInfo = z.infer<typeof Actor>

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/**
 * What changed the state: null for a snapshot (join, resume) or a rejection's refresh.
 * `actor` is null when the server started playback itself (after waiting for buffering members).
 */
export interface StateChange { command: PlayerCommand, actor: ActorInfo | null, seq: number, mine: boolean }

export type PresenceChange = { kind: 'joined', member: Member } | { kind: 'left', userId: string } | null

export interface RoomClientEvents {
  connection: (status: ConnectionStatus, info: { code?: number, reason?: string, retryInMs?: number }) => void
  ready: (frame: SessionReady) => void
  state: (state: PlayerState, change: StateChange | null) => void
  chat: (message: ChatMessage) => void
  reaction: (reaction: { messageId: string, emoji: string, userId: string }) => void
  presence: (members: Member[], change: PresenceChange) => void
  typing: (typing: { userId: string, name: string, typing: boolean }) => void
  buffering: (buffering: { userId: string, buffering: boolean, itemId: string | null }) => void
  announcement: (announcement: { text: string, scope: 'room' | 'all' }) => void
  controlMode: (mode: ControlMode) => void
  roomClosed: (reason: string) => void
  clock: (clock: { offsetMs: number, errorMs: number, roundTripMs: number }) => void
  error: (error: RoomError) => void
}
