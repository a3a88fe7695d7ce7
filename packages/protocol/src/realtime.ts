import { z } from 'zod'
import { ServerTime, UserId } from './common.js'
import { ControlMode, HostChangeReason, LeaveReason, MemberRole } from './event-types.js'
import { PlayerState } from './player-state.js'

/**
 * The realtime websocket protocol (path `/rooms/:roomId/ws?ticket=JWT[&since=SEQ]`).
 * Client frames are commands (imperative `area.verb`), server frames are events (past tense).
 * Every time is the server's clock in epoch ms. Frames that change a room carry the room's
 * sequence number `seq`, the same number its Kafka event carries.
 */

// ---- close codes (sent before any room data when the connection is refused) ----
export const CLOSE_CODES = {
  /** Ticket missing, malformed or with a bad signature / audience. */
  ticketInvalid: 4001,
  ticketExpired: 4002,
  /** The ticket was issued for another room than the path names. */
  wrongRoom: 4003,
  originNotAllowed: 4004,
  /** The room was closed by room-api (room.closed). */
  roomClosed: 4010,
  /** The host removed the member from the room (member.left, reason removed). */
  memberRemoved: 4011,
  /** The member left the room (REST leave or the Leave button; member.left, reason left). */
  memberLeft: 4012,
  /** The host removed and banned the member: the invite link no longer admits them (reason banned). */
  memberBanned: 4013,
  /**
   * The ticket's membership epoch is older than the member's current membership (they left and
   * joined again since it was issued): ask room-api for a new ticket.
   */
  ticketSuperseded: 4014,
  /** Standard codes used as is: 1001 server going away (shutdown), 1009 frame too big. */
  goingAway: 1001,
  tooBig: 1009,
  /**
   * 1012 (service restart): reconnect with `since`. This instance lost Redis pub/sub for too long, the
   * socket fell behind the room's events, or the instance was taken for dead (a stall) and counted out.
   */
  serviceRestart: 1012
} as const

// ---- error codes in `error` and `player.command_rejected` frames ----
export const RealtimeErrorCode = z.enum([
  'RT_BAD_JSON', 'RT_BINARY_FRAME', 'RT_UNKNOWN_TYPE', 'RT_INVALID_FRAME', 'RT_TEXT_TOO_LONG',
  'RT_STALE_VERSION', 'RT_NOT_ALLOWED', 'RT_INVALID_INDEX', 'RT_RATE_LIMITED', 'RT_MESSAGE_NOT_FOUND',
  'RT_INTERNAL',
  // membership and moderation
  'RT_NOT_MEMBER', 'RT_MUTED', 'RT_NOT_HOST',
  // refusals of player.report_ended (see that frame)
  'RT_WRONG_ITEM', 'RT_END_UNTRACKED', 'RT_NOT_ENDED', 'RT_ALREADY_ENDED'
])
export type RealtimeErrorCode = z.infer<typeof RealtimeErrorCode>

const ref = z.string().max(64).optional()
const version = z.number().int().nonnegative()
const itemIds = z.array(z.string().min(1).max(128)).max(500)
/** Optional lead time (ms) before play / seek take effect, so every client starts on one instant. */
const leadMs = z.number().int().min(0).max(5000).optional()

// ---- client → server ----
export const ClockPingFrame = z.object({ type: z.literal('clock.ping'), ref, clientSentAt: z.number() })
export const PlayerPlayFrame = z.object({ type: z.literal('player.play'), ref, version, leadMs })
export const PlayerPauseFrame = z.object({ type: z.literal('player.pause'), ref, version })
export const PlayerSeekFrame = z.object({ type: z.literal('player.seek'), ref, version, positionMs: z.number().nonnegative().max(1e9), leadMs })
export const PlayerSetRateFrame = z.object({ type: z.literal('player.set_rate'), ref, version, rate: z.number().min(0.25).max(4) })
export const PlayerNextFrame = z.object({ type: z.literal('player.next'), ref, version })
export const PlayerPreviousFrame = z.object({ type: z.literal('player.previous'), ref, version })
export const PlayerJumpFrame = z.object({ type: z.literal('player.jump'), ref, version, index: z.number().int().nonnegative() })
export const PlayerReplaceQueueFrame = z.object({ type: z.literal('player.replace_queue'), ref, version, items: itemIds, index: z.number().int().nonnegative().optional() })
export const PlayerAppendQueueFrame = z.object({ type: z.literal('player.append_queue'), ref, version, items: itemIds.min(1) })
/**
 * "My player reached the end of this item" (the media fired `ended`). Not a command: the server
 * checks it against its own clock (the room's current item must be the room's film, whose length
 * came with the ticket, and the derived position must be within END_TOLERANCE_MS of its end) and,
 * the first time for this item and version, pauses the room at the end and publishes player.ended.
 */
export const PlayerReportEndedFrame = z.object({ type: z.literal('player.report_ended'), ref, itemId: z.string().min(1).max(128), version })
/** My player is playing (true) or not (false): counted in the room's "playing now" (room.counters). */
export const PlayerReportPlayingFrame = z.object({ type: z.literal('player.report_playing'), ref, playing: z.boolean() })
export const ChatSendFrame = z.object({
  type: z.literal('chat.send'),
  ref,
  /** Chosen by the client; a retry with the same id returns the stored message instead of a duplicate. */
  clientMessageId: z.string().min(1).max(64),
  /** Plain text; its length limit is the server's CHAT_MAX_LENGTH (RT_TEXT_TOO_LONG). */
  text: z.string().min(1),
  /** The sender's own video position; when absent the server derives it from the room state. */
  positionMs: z.number().nonnegative().optional()
})
export const ChatReactFrame = z.object({ type: z.literal('chat.react'), ref, messageId: z.string().min(1).max(64), emoji: z.string().min(1).max(32) })
/** Host only: deletes a recent message for everyone (a tombstone replaces it in history and archive). */
export const ChatDeleteFrame = z.object({ type: z.literal('chat.delete'), ref, messageId: z.string().min(1).max(64) })
export const ChatTypingFrame = z.object({ type: z.literal('chat.set_typing'), ref, typing: z.boolean() })
/** The emoji a member may float over everyone's video (a closed set: nothing else is relayed). */
export const FLOATING_REACTIONS = ['👍', '😂', '❤️', '😮', '😢', '🔥', '👏'] as const
export type FloatingReaction = typeof FLOATING_REACTIONS[number]
/** A reaction floated over everyone's video: relayed to the room now, never stored or replayed; rate-limited with chat. */
export const ReactionSendFrame = z.object({ type: z.literal('reaction.send'), ref, emoji: z.enum(FLOATING_REACTIONS) })
export const BufferingReportFrame = z.object({
  type: z.literal('buffering.report'),
  ref,
  buffering: z.boolean(),
  /** false = never make the room wait for me (e.g. a slow connection that would stall everyone). Default true. */
  waitForMe: z.boolean().optional()
})

export const ClientFrame = z.discriminatedUnion('type', [
  ClockPingFrame, PlayerPlayFrame, PlayerPauseFrame, PlayerSeekFrame, PlayerSetRateFrame, PlayerNextFrame,
  PlayerPreviousFrame, PlayerJumpFrame, PlayerReplaceQueueFrame, PlayerAppendQueueFrame, ChatSendFrame,
  ChatReactFrame, ChatTypingFrame, BufferingReportFrame, PlayerReportEndedFrame, ChatDeleteFrame, PlayerReportPlayingFrame,
  ReactionSendFrame
])
export type ClientFrame = z.infer<typeof ClientFrame>
export const CLIENT_FRAME_TYPES: readonly string[] = ClientFrame.options.map((o) => o.shape.type.value)

export const PLAYER_COMMANDS = ['play', 'pause', 'seek', 'set_rate', 'next', 'previous', 'jump', 'replace_queue', 'append_queue'] as const
export type PlayerCommand = typeof PLAYER_COMMANDS[number]
/** The player commands (player.report_ended is a report, not a command: it is not one of these). */
export type PlayerFrame = Extract<ClientFrame, { type: `player.${PlayerCommand}` }>

// ---- server → client ----
export const Actor = z.object({ userId: UserId, name: z.string() })
export const Member = z.object({
  userId: UserId,
  name: z.string(),
  role: MemberRole,
  online: z.boolean(),
  /** Muted by the host: their chat is refused (RT_MUTED). */
  muted: z.boolean().optional()
})
export type Member = z.infer<typeof Member>
export const ChatMessage = z.object({
  messageId: z.string(),
  clientMessageId: z.string(),
  userId: UserId,
  name: z.string(),
  text: z.string(),
  positionMs: z.number().nonnegative(),
  at: ServerTime,
  /** emoji → user ids who reacted. */
  reactions: z.record(z.string(), z.array(UserId)),
  /** Set when the host deleted the message: `text` is then empty and clients show "message deleted". */
  deleted: z.literal(true).optional()
})
export type ChatMessage = z.infer<typeof ChatMessage>

/** Fields of every frame that changes the room: its place in the room's order and server time. */
const sequenced = { seq: z.number().int().positive(), at: ServerTime }

export const PlayerStateChangedFrame = z.object({
  type: z.literal('player.state_changed'),
  ...sequenced,
  ref,
  command: z.enum(PLAYER_COMMANDS),
  /** null when the server itself changed the state (a start after the ready-wait, the end of the film). */
  actor: Actor.nullable(),
  state: PlayerState,
  /**
   * Present (true) when the room's film reached its end: the state is paused at the end (command
   * `pause`), and room-api closes the room (room.closed, reason film_ended) soon after.
   */
  ended: z.literal(true).optional()
})
export const PresenceJoinedFrame = z.object({ type: z.literal('presence.joined'), ...sequenced, member: Member })
export const PresenceLeftFrame = z.object({ type: z.literal('presence.left'), ...sequenced, userId: UserId })
export const ChatMessageSentFrame = z.object({ type: z.literal('chat.message_sent'), ...sequenced, ref, message: ChatMessage })
export const ChatReactionAddedFrame = z.object({ type: z.literal('chat.reaction_added'), ...sequenced, messageId: z.string(), emoji: z.string(), userId: UserId })
export const BufferingChangedFrame = z.object({ type: z.literal('buffering.changed'), ...sequenced, userId: UserId, buffering: z.boolean(), itemId: z.string().nullable() })
export const AnnouncementSentFrame = z.object({ type: z.literal('announcement.sent'), ...sequenced, text: z.string(), scope: z.enum(['room', 'all']) })
export const ControlModeChangedFrame = z.object({ type: z.literal('room.control_mode_changed'), ...sequenced, controlMode: ControlMode })
/** A membership ended: the member's sockets are closed (4012 left, 4011 removed, 4013 banned) and they leave the list. */
export const MemberLeftFrame = z.object({
  type: z.literal('member.left'), ...sequenced, userId: UserId, name: z.string(), reason: LeaveReason, actor: Actor.nullable()
})
/** The host role moved (pushed to everyone; nobody polls for it). */
export const HostChangedFrame = z.object({
  type: z.literal('host.changed'), ...sequenced, fromUserId: UserId.nullable(), toUserId: UserId, reason: HostChangeReason
})
export const MemberMuteChangedFrame = z.object({
  type: z.literal('member.mute_changed'), ...sequenced, userId: UserId, muted: z.boolean(), actor: Actor.nullable()
})
/** The host deleted a message: clients replace it with "message deleted" (the text is gone everywhere). */
export const ChatMessageDeletedFrame = z.object({ type: z.literal('chat.message_deleted'), ...sequenced, ref, messageId: z.string(), actor: Actor })
export const RoomClosedFrame = z.object({ type: z.literal('room.closed'), ...sequenced, reason: z.string() })

/** Room events: stored in the room's recent-events stream, replayed on resume. */
export const RoomEventFrame = z.discriminatedUnion('type', [
  PlayerStateChangedFrame, PresenceJoinedFrame, PresenceLeftFrame, ChatMessageSentFrame, ChatReactionAddedFrame,
  BufferingChangedFrame, AnnouncementSentFrame, ControlModeChangedFrame, RoomClosedFrame,
  MemberLeftFrame, HostChangedFrame, MemberMuteChangedFrame, ChatMessageDeletedFrame
])
export type RoomEventFrame = z.infer<typeof RoomEventFrame>

export const SessionReadyFrame = z.object({
  type: z.literal('session.ready'),
  connectionId: z.string(),
  /** Your role now (the room's current host decides, not the ticket) and whether you are muted. */
  you: Actor.extend({ role: MemberRole, muted: z.boolean().optional() }),
  /** The room's host, when known. */
  hostId: UserId.nullable().optional(),
  serverTime: ServerTime,
  controlMode: ControlMode,
  /** The room's latest seq when this frame was built; later frames continue from it. */
  seq: z.number().int().nonnegative(),
  /** True when `since` was honoured: the missed room events follow this frame, in order. */
  resumed: z.boolean(),
  state: PlayerState,
  members: z.array(Member),
  /** Recent chat (last N within 24 h), oldest first; empty when resumed. */
  chat: z.array(ChatMessage)
})
export const ClockRepliedFrame = z.object({
  type: z.literal('clock.replied'), ref, clientSentAt: z.number(), serverReceivedAt: ServerTime, serverSentAt: ServerTime
})
export const PlayerCommandRejectedFrame = z.object({
  type: z.literal('player.command_rejected'), ref, command: z.enum(PLAYER_COMMANDS), code: RealtimeErrorCode, message: z.string(), state: PlayerState
})
export const ChatTypingChangedFrame = z.object({ type: z.literal('chat.typing_changed'), userId: UserId, name: z.string(), typing: z.boolean() })
/** Someone's floating reaction (reaction.send), live only: no seq, not stored, not replayed on resume. */
export const ReactionFloatedFrame = z.object({ type: z.literal('reaction.floated'), userId: UserId, name: z.string(), emoji: z.enum(FLOATING_REACTIONS), at: ServerTime })
/**
 * Live counters, pushed on change at most once a second (not room events: no seq, not stored).
 * room: members online, members whose player reports playing, members buffering; service: users
 * connected anywhere, rooms with someone in them, users watching this room's film in any room.
 */
export const RoomCountersFrame = z.object({
  type: z.literal('room.counters'),
  room: z.object({ online: z.number().int().nonnegative(), playing: z.number().int().nonnegative(), buffering: z.number().int().nonnegative() }),
  service: z.object({ connectedUsers: z.number().int().nonnegative(), activeRooms: z.number().int().nonnegative(), filmViewers: z.number().int().nonnegative() })
})
export const ErrorFrame = z.object({
  type: z.literal('error'), ref, code: RealtimeErrorCode, message: z.string(), path: z.string().optional(), retryAfterMs: z.number().optional()
})

export const ServerFrame = z.discriminatedUnion('type', [
  ...RoomEventFrame.options, SessionReadyFrame, ClockRepliedFrame, PlayerCommandRejectedFrame, ChatTypingChangedFrame, RoomCountersFrame, ErrorFrame,
  ReactionFloatedFrame
])
export type ServerFrame = z.infer<typeof ServerFrame>
export * from './realtime-legacy.js'
export * from './player-state.js'
