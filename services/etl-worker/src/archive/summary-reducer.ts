import { type EventEnvelope, type EventOf, knownEvent } from '@watch-together/protocol'
import type { RoomSummary } from './collections.js'

/**
 * The moderation counters at zero. A summary written before they existed lacks them; applyEvent
 * starts its counters from zero (events already applied to it are not looked at again).
 */
const NO_MODERATION = { messagesDeleted: 0, membersRemoved: 0, membersBanned: 0, mutes: 0, unmutes: 0 } as const

/**
 * The room summary as a pure fold over a room's events, so it can be unit-tested without a database.
 *
 * Idempotency: a summary remembers the highest `seq` applied per event source. Within one source a
 * room's events reach Kafka in seq order (one partition per room, one request in flight per
 * producer), so an event at or below that mark was already counted: re-delivery and a replay of
 * the whole topic change nothing. The mark is kept per source so room-api and realtime may number
 * a room's events with one shared counter or with their own.
 */
export function emptySummary (roomId: string, at: number): RoomSummary {
  return {
    _id: roomId,
    filmId: null,
    ownerId: null,
    hostId: null,
    controlMode: null,
    openedAt: null,
    closedAt: null,
    closeReason: null,
    firstEventAt: new Date(at),
    lastEventAt: new Date(at),
    membersSeen: [],
    membersSeenCount: 0,
    present: [],
    peakConcurrentMembers: 0,
    messages: 0,
    reactions: 0,
    ...NO_MODERATION,
    plays: 0,
    pauses: 0,
    seeks: 0,
    playerCommands: 0,
    watchedMs: 0,
    bufferingMs: 0,
    playingSince: null,
    bufferingOpen: [],
    durationMs: 0,
    eventsApplied: 0,
    applied: {},
    rev: 0,
    finalizedAt: null,
    finalReason: null,
    archivedAt: null
  }
}

export function alreadyApplied (summary: RoomSummary, event: EventEnvelope): boolean {
  const mark = summary.applied[event.source]
  return mark !== undefined && event.seq <= mark
}

function addMember (s: RoomSummary, userId: string | null) {
  if (!userId) return
  if (!s.membersSeen.includes(userId)) s.membersSeen.push(userId)
  if (!s.present.includes(userId)) s.present.push(userId)
  s.membersSeenCount = s.membersSeen.length
  s.peakConcurrentMembers = Math.max(s.peakConcurrentMembers, s.present.length)
}

function stopPlaying (s: RoomSummary, at: number) {
  if (s.playingSince === null) return
  s.watchedMs += Math.max(0, at - s.playingSince)
  s.playingSince = null
}

function stopBuffering (s: RoomSummary, at: number, userId?: string | null) {
  s.bufferingOpen = s.bufferingOpen.filter((span) => {
    if (userId !== undefined && span.userId !== userId) return true
    s.bufferingMs += Math.max(0, at - span.since)
    return false
  })
}

function applyPlayerCommand (s: RoomSummary, event: EventOf<'player.command_applied'>) {
  const { command, state } = event.payload
  s.playerCommands++
  if (command === 'play') s.plays++
  else if (command === 'pause') s.pauses++
  else if (command === 'seek') s.seeks++
  if (state.playing === true && s.playingSince === null) s.playingSince = event.at
  else if (state.playing === false) stopPlaying(s, event.at)
}

/** Ends every open interval at `at` and fixes the duration (room closed, or finalized as idle). */
export function closeIntervals (s: RoomSummary, at: number): void {
  stopPlaying(s, at)
  stopBuffering(s, at)
}

function refreshDuration (s: RoomSummary) {
  const start = (s.openedAt ?? s.firstEventAt).getTime()
  const end = (s.closedAt ?? s.lastEventAt).getTime()
  s.durationMs = Math.max(0, end - start)
}

/** Applies one event to a copy of the summary; returns the same object if the event was already applied. */
export function applyEvent (summary: RoomSummary, event: EventEnvelope): RoomSummary {
  // A user-scoped event (roomId null) is no room's activity; the writer never hands one in, and
  // its seq is the user's own counter, which must not move a room's mark.
  if (event.roomId === null || alreadyApplied(summary, event)) return summary
  const s: RoomSummary = { ...NO_MODERATION, ...structuredClone(summary) }
  s.applied[event.source] = event.seq
  // The worker's own announcement is bookkeeping, not room activity: it must not move the
  // room's last activity (an idle room's duration) or its counts.
  if (event.type === 'room.archived') {
    s.archivedAt = s.archivedAt ?? new Date(event.at)
    return s
  }
  s.eventsApplied++
  if (event.at < s.firstEventAt.getTime()) s.firstEventAt = new Date(event.at)
  if (event.at > s.lastEventAt.getTime()) s.lastEventAt = new Date(event.at)
  // Typed by its type (parseEvent read the payload): a type this build does not know counts as activity only.
  const e = knownEvent(event)
  switch (e?.type) {
    case 'room.created':
      s.filmId = e.payload.filmId
      s.ownerId = e.payload.ownerId
      s.hostId = s.hostId ?? e.payload.ownerId
      s.controlMode = e.payload.controlMode
      s.openedAt = new Date(event.at)
      addMember(s, e.payload.ownerId)
      break
    case 'member.joined':
      addMember(s, event.userId)
      if (e.payload.role === 'host' && event.userId) s.hostId = event.userId
      break
    case 'member.left':
      s.present = s.present.filter((id) => id !== event.userId)
      stopBuffering(s, event.at, event.userId)
      // Older events have no reason: they were members leaving.
      if (e.payload.reason === 'removed') s.membersRemoved++
      else if (e.payload.reason === 'banned') s.membersBanned++
      break
    case 'member.mute_changed':
      if (e.payload.muted) s.mutes++
      else s.unmutes++
      break
    case 'host.changed':
      s.hostId = e.payload.toUserId
      break
    case 'room.control_mode_changed':
      s.controlMode = e.payload.controlMode
      break
    case 'player.command_applied':
      applyPlayerCommand(s, e)
      break
    case 'player.ended':
      stopPlaying(s, event.at)
      break
    case 'buffering.started':
      if (event.userId && !s.bufferingOpen.some((b) => b.userId === event.userId)) {
        s.bufferingOpen.push({ userId: event.userId, since: event.at })
      }
      break
    case 'buffering.ended':
      stopBuffering(s, event.at, event.userId)
      break
    case 'chat.message_sent':
      s.messages++
      break
    case 'chat.reaction_added':
      s.reactions++
      break
    case 'chat.message_deleted':
      // `messages` keeps counting what was sent; the text is gone from the archive, not the fact.
      s.messagesDeleted++
      break
    case 'room.closed':
      s.closedAt = new Date(event.at)
      s.closeReason = e.payload.reason
      closeIntervals(s, event.at)
      s.present = []
      break
  }
  refreshDuration(s)
  return s
}

/** Applies a room's events in the order given (Kafka order); the starting summary is not changed. */
export function applyEvents (summary: RoomSummary, events: EventEnvelope[]): RoomSummary {
  return events.reduce(applyEvent, summary)
}

/**
 * The summary as the finalizer leaves it: open intervals end at the last event (an idle room's
 * silence is not watching time), and it is marked final. Events arriving later still apply.
 */
export function finalizeSummary (summary: RoomSummary, now: number): RoomSummary {
  const s: RoomSummary = structuredClone(summary)
  closeIntervals(s, (s.closedAt ?? s.lastEventAt).getTime())
  s.present = s.closedAt ? [] : s.present
  s.finalizedAt = new Date(now)
  s.finalReason = s.closedAt ? 'closed' : 'idle'
  refreshDuration(s)
  return s
}
