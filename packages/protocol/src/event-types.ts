import { z } from 'zod'
import { UserId } from './common.js'
import { PlayerState } from './player-state.js'
import { LegacyState } from './realtime-legacy.js'

/**
 * The catalogue of events on `watch_together`, by producer. The envelope (events.ts) carries
 * id, room, user, server time and the per-room sequence; these are the payloads per `type`.
 * Payloads are objects so fields can be added without a new schema version; consumers must
 * ignore fields they do not know (schemas here are not strict).
 */

export const ControlMode = z.enum(['everyone', 'host_only'])
export type ControlMode = z.infer<typeof ControlMode>

export const MemberRole = z.enum(['host', 'guest'])
export type MemberRole = z.infer<typeof MemberRole>

// ---- published by room-api (through its outbox) ----
export const RoomCreatedPayload = z.object({
  filmId: z.string().min(1),
  ownerId: UserId,
  ownerName: z.string(),
  controlMode: ControlMode,
  /** The room's typed name, when it was given one. */
  name: z.string().optional()
})
/**
 * `userId` of the envelope is the member. Its `seq` is the member's membership epoch: tickets carry
 * it (claim `epoch`), and a ticket of an epoch that a later member.left ended no longer connects.
 */
export const MemberJoinedPayload = z.object({ name: z.string(), role: MemberRole })
/** Why a membership ended: the member left, or the host removed them (and maybe banned them for the room's lifetime). */
export const LeaveReason = z.enum(['left', 'removed', 'banned'])
export type LeaveReason = z.infer<typeof LeaveReason>
/** `userId` of the envelope is the member who is gone; `actorId` the host who removed them (absent when they left). */
export const MemberLeftPayload = z.object({ name: z.string(), reason: LeaveReason, actorId: UserId.optional() })
/** Why the host role moved: handed over by the host, the host left, or the host was away longer than HOST_GRACE_MS. */
export const HostChangeReason = z.enum(['transfer', 'left', 'absent', 'returned'])
export const HostChangedPayload = z.object({ fromUserId: UserId.nullable(), toUserId: UserId, reason: HostChangeReason.optional() })
/** `userId` of the envelope is the muted member; `actorId` the host. A muted member's chat is refused (RT_MUTED). */
export const MemberMutedPayload = z.object({ actorId: UserId, muted: z.boolean() })
export const ControlModeChangedPayload = z.object({ controlMode: ControlMode })
export const RoomClosedPayload = z.object({ reason: z.enum(['host', 'film_ended', 'empty']) })
export const RoomArchivedPayload = z.object({
  /** Why etl-worker archived the room: it was closed, or had no event for its idle time. */
  reason: z.enum(['closed', 'idle']).optional()
})

// ---- published by room-api for the call (LiveKit's webhooks and the host's call moderation) ----
/** Where a call track comes from, as LiveKit names the sources (lower case). */
export const CallTrackSource = z.enum(['microphone', 'camera', 'screen_share', 'screen_share_audio', 'unknown'])
export type CallTrackSource = z.infer<typeof CallTrackSource>
/** `userId` of the envelope is the member (the LiveKit identity); `participantSid` LiveKit's id of this connection. */
export const CallJoinedPayload = z.object({ name: z.string(), participantSid: z.string() })
/** `aborted`: the connection failed before it was fully up (LiveKit's participant_connection_aborted). */
export const CallLeftPayload = z.object({ participantSid: z.string(), aborted: z.boolean().optional() })
export const CallTrackPayload = z.object({ participantSid: z.string(), trackSid: z.string(), source: CallTrackSource, kind: z.enum(['audio', 'video']) })
/** The host muted (or unmuted) a member's track: `userId` is the member, `actorId` the host. */
export const CallTrackMutedPayload = z.object({ actorId: UserId, trackSid: z.string(), source: CallTrackSource, muted: z.boolean() })
/** The host removed a member from the call (not from the room): `userId` is the member. */
export const CallMemberRemovedPayload = z.object({ actorId: UserId })

// ---- published by realtime ----
export const SessionPayload = z.object({
  connectionId: z.string(),
  instance: z.string(),
  name: z.string(),
  /** The user's open connections in the room after this one connected or went (absent in older events). */
  userConnections: z.number().int().optional()
})
/** Every accepted player command; `command` says which, `state` is the authoritative result. */
export const PlayerCommandPayload = z.object({
  command: z.enum(['play', 'pause', 'seek', 'set_rate', 'next', 'previous', 'jump', 'replace_queue', 'append_queue']),
  version: z.number().int().nonnegative(),
  /** The authoritative state after the command (realtime's PlayerState). */
  state: PlayerState
})
export const PlayerEndedPayload = z.object({ itemId: z.string(), version: z.number().int().nonnegative() })
export const ChatMessagePayload = z.object({
  messageId: z.string().min(1),
  clientMessageId: z.string().min(1),
  name: z.string(),
  text: z.string(),
  /** The sender's video position (ms) when sent. */
  positionMs: z.number().nonnegative()
})
export const ChatReactionPayload = z.object({ messageId: z.string().min(1), emoji: z.string().min(1).max(32) })
export const BufferingPayload = z.object({ itemId: z.string().nullable() })
export const AnnouncementPayload = z.object({ text: z.string(), scope: z.enum(['room', 'all']) })
export const RoomEmptiedPayload = z.object({})
/** `userId` of the envelope is the host who deleted; the archive keeps the deletion, not the text. */
export const ChatMessageDeletedPayload = z.object({ messageId: z.string().min(1), authorId: UserId })

// ---- user-scoped (roomId null, Kafka key `user:<userId>`, so one user's updates stay in order) ----
/**
 * A state change of the original per-user device protocol (`/sync-player/ws`, seeds/000):
 * the user's whole state after the change, and the message type that made it.
 */
export const DeviceStateChangedPayload = z.object({
  message: z.enum(['new_tracks_queue', 'push_track', 'new_track', 'on_pause', 'off_pause', 'change_position']),
  /** The device (socket) that sent the change; the user's other devices received it. */
  deviceId: z.string(),
  state: LegacyState
})

// ---- user-scoped, published by room-api (its outbox, numbered per user): friends and profiles ----
/**
 * A friendship change, on the stream of each person it changes (`userId` of the envelope):
 * `otherUserId` is the other person, `actorId` who acted. user.blocked / user.unblocked go to the
 * blocker's stream only (a block also removes friendship and requests: those events reach both).
 */
export const RelationshipChangedPayload = z.object({ otherUserId: UserId, actorId: UserId })
export const ProfileUpdatedPayload = z.object({ handle: z.string(), displayName: z.string(), avatarVersion: z.number().int().nonnegative() })

/**
 * A member of a room invited a friend to it (user-scoped: `userId` of the envelope is the invitee,
 * so it reaches their per-user channel; realtime pushes invitation.received).
 */
export const RoomInvitedPayload = z.object({
  roomId: z.uuid(),
  inviteCode: z.string(),
  roomName: z.string().nullable(),
  filmId: z.string(),
  filmTitle: z.string(),
  fromUserId: UserId,
  fromName: z.string()
})

/** type → payload schema. Event types are past tense, `area.verb_ed`. */
export const EVENT_PAYLOADS = {
  'room.created': RoomCreatedPayload,
  'member.joined': MemberJoinedPayload,
  'member.left': MemberLeftPayload,
  'host.changed': HostChangedPayload,
  'member.mute_changed': MemberMutedPayload,
  'room.control_mode_changed': ControlModeChangedPayload,
  'room.closed': RoomClosedPayload,
  'room.archived': RoomArchivedPayload,
  'call.joined': CallJoinedPayload,
  'call.left': CallLeftPayload,
  'call.track_published': CallTrackPayload,
  'call.track_unpublished': CallTrackPayload,
  'call.track_muted': CallTrackMutedPayload,
  'call.member_removed': CallMemberRemovedPayload,
  'session.connected': SessionPayload,
  'session.disconnected': SessionPayload,
  'player.command_applied': PlayerCommandPayload,
  'player.ended': PlayerEndedPayload,
  'chat.message_sent': ChatMessagePayload,
  'chat.reaction_added': ChatReactionPayload,
  'buffering.started': BufferingPayload,
  'buffering.ended': BufferingPayload,
  'announcement.sent': AnnouncementPayload,
  'room.emptied': RoomEmptiedPayload,
  'chat.message_deleted': ChatMessageDeletedPayload,
  'device.state_changed': DeviceStateChangedPayload,
  'room.invited': RoomInvitedPayload,
  'friend.request_sent': RelationshipChangedPayload,
  'friend.request_cancelled': RelationshipChangedPayload,
  'friend.request_accepted': RelationshipChangedPayload,
  'friend.request_declined': RelationshipChangedPayload,
  'friend.removed': RelationshipChangedPayload,
  'user.blocked': RelationshipChangedPayload,
  'user.unblocked': RelationshipChangedPayload,
  'user.profile_updated': ProfileUpdatedPayload
} as const

/** Events about one user rather than a room: their envelope's roomId is null, their key the user. */
export const USER_SCOPED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'device.state_changed', 'room.invited', 'friend.request_sent', 'friend.request_cancelled', 'friend.request_accepted',
  'friend.request_declined', 'friend.removed', 'user.blocked', 'user.unblocked', 'user.profile_updated'
])

export type EventType = keyof typeof EVENT_PAYLOADS
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>

export function isKnownEventType (type: string): type is EventType {
  return Object.hasOwn(EVENT_PAYLOADS, type)
}
