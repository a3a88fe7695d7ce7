import type { Db } from 'mongodb'

/** The archive's collections; docs/analysts.md describes every field. */
export const COLLECTIONS = {
  events: 'events',
  chatMessages: 'chat_messages',
  roomSummaries: 'room_summaries'
} as const

export interface EventDoc {
  _id: string
  type: string
  /** Null for user-scoped events (device.state_changed): they belong to a user, not a room. */
  roomId: string | null
  userId: string | null
  at: Date
  /** UTC hour of `at` (0–23), precomputed: FerretDB has no $hour. */
  hourUtc: number
  seq: number
  source: string
  v: number
  payload: Record<string, unknown>
  /** On a chat.message_sent whose message was deleted: the chat.message_deleted event (payload.text is then ''). */
  redactedBy?: string
  /** The W3C trace id of the act that made the event (its Kafka traceparent header), to follow it across services. */
  traceId?: string
}

export interface Reaction {
  eventId: string
  userId: string | null
  emoji: string
  at: Date
}

export interface ChatMessageDoc {
  _id: string
  eventId: string
  roomId: string
  filmId: string | null
  userId: string | null
  name: string
  text: string
  at: Date
  hourUtc: number
  positionMs: number
  clientMessageId: string
  reactions: Reaction[]
  /**
   * Set only once the host deleted the message (chat.message_deleted): `text` is then '' and these
   * say when, by whom, and which event. Absent on messages never deleted (and on older documents).
   */
  deleted?: true
  deletedAt?: Date
  deletedBy?: string | null
  deletionEventId?: string
}

export interface BufferingSpan { userId: string, since: number }

export interface RoomSummary {
  _id: string
  filmId: string | null
  ownerId: string | null
  hostId: string | null
  controlMode: string | null
  openedAt: Date | null
  closedAt: Date | null
  closeReason: string | null
  firstEventAt: Date
  lastEventAt: Date
  membersSeen: string[]
  membersSeenCount: number
  /** Members in the room now (joined, not left); its largest size is peakConcurrentMembers. */
  present: string[]
  peakConcurrentMembers: number
  messages: number
  reactions: number
  /** Moderation: messages deleted by the host, members removed / banned by the host, mutes and unmutes. */
  messagesDeleted: number
  membersRemoved: number
  membersBanned: number
  mutes: number
  unmutes: number
  plays: number
  pauses: number
  seeks: number
  playerCommands: number
  /** Wall-clock ms the room's player was playing; buffering summed over members. */
  watchedMs: number
  bufferingMs: number
  /** Open intervals (server ms) still to be added to watchedMs / bufferingMs. */
  playingSince: number | null
  bufferingOpen: BufferingSpan[]
  /** (closedAt or lastEventAt) − (openedAt or firstEventAt). */
  durationMs: number
  eventsApplied: number
  /** Highest seq applied per event source: the idempotency guard (see summary-reducer.ts). */
  applied: Record<string, number>
  /** Bumped on every write; writes are conditional on it (optimistic concurrency). */
  rev: number
  finalizedAt: Date | null
  finalReason: 'closed' | 'idle' | null
  archivedAt: Date | null
}

export function archiveCollections (db: Db) {
  return {
    events: db.collection<EventDoc>(COLLECTIONS.events),
    chatMessages: db.collection<ChatMessageDoc>(COLLECTIONS.chatMessages),
    roomSummaries: db.collection<RoomSummary>(COLLECTIONS.roomSummaries)
  }
}
export type ArchiveCollections = ReturnType<typeof archiveCollections>
