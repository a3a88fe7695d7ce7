// Three watch sessions written out step by step, with the figures an analyst should get from them
// worked out by hand (not by the worker's code), so the analyst queries are checked, not echoed.
import type { EventEnvelope } from '@watch-together/protocol'
import { playerState, roomScript } from './harness.js'

const S = 1000

export function seededSessions (hourStart: number) {
  // Session A: "film-matrix", three members, 30 min, closed when the film ended; one message deleted, one member muted and removed.
  const a = roomScript(hourStart)
  a.step('room.created', 'u1', { filmId: 'film-matrix', ownerId: 'u1', ownerName: 'Vasily', controlMode: 'everyone' }, 0, 'room-api')
  a.step('member.joined', 'u1', { name: 'Vasily', role: 'host' }, 0, 'room-api')
  a.step('member.joined', 'u2', { name: 'Petr', role: 'guest' }, 60 * S, 'room-api')
  a.step('member.joined', 'u3', { name: 'Olga', role: 'guest' }, 120 * S, 'room-api')
  a.step('player.command_applied', 'u1', { command: 'play', version: 1, state: playerState(true, 0, hourStart + 180 * S, 1) }, 180 * S)
  a.step('buffering.started', 'u2', { itemId: 'item-1' }, 240 * S)
  a.step('buffering.ended', 'u2', { itemId: 'item-1' }, 270 * S)
  const hello = a.step('chat.message_sent', 'u2', { messageId: 'msg-a1', clientMessageId: 'c1', name: 'Petr', text: 'привет', positionMs: 120_000 }, 300 * S)
  a.step('chat.message_sent', 'u3', { messageId: 'msg-a2', clientMessageId: 'c2', name: 'Olga', text: 'spoiler!', positionMs: 130_000 }, 310 * S)
  a.step('chat.reaction_added', 'u1', { messageId: 'msg-a1', emoji: '👍' }, 320 * S)
  // The host deletes Olga's message and mutes her; later removes her from the room.
  const deletion = a.step('chat.message_deleted', 'u1', { messageId: 'msg-a2', authorId: 'u3' }, 330 * S)
  a.step('member.mute_changed', 'u3', { actorId: 'u1', muted: true }, 335 * S, 'room-api')
  a.step('player.command_applied', 'u2', { command: 'pause', version: 2, state: playerState(false, 420_000, hourStart + 600 * S, 2) }, 600 * S)
  a.step('player.command_applied', 'u2', { command: 'seek', version: 3, state: playerState(false, 400_000, hourStart + 620 * S, 3) }, 620 * S)
  a.step('player.command_applied', 'u1', { command: 'play', version: 4, state: playerState(true, 400_000, hourStart + 660 * S, 4) }, 660 * S)
  a.step('chat.message_sent', 'u1', { messageId: 'msg-a3', clientMessageId: 'c3', name: 'Vasily', text: 'classic', positionMs: 640_000 }, 900 * S)
  a.step('member.left', 'u3', { name: 'Olga', reason: 'removed', actorId: 'u1' }, 1200 * S, 'room-api')
  a.step('room.closed', 'u1', { reason: 'film_ended' }, 1800 * S, 'room-api')

  // Session B: "film-matrix" again an hour later, two members, 10 min, closed by the host.
  const b = roomScript(hourStart + 3600 * S)
  b.step('room.created', 'u4', { filmId: 'film-matrix', ownerId: 'u4', ownerName: 'Ivan', controlMode: 'host_only' }, 0, 'room-api')
  b.step('member.joined', 'u4', { name: 'Ivan', role: 'host' }, 0, 'room-api')
  b.step('member.joined', 'u5', { name: 'Anna', role: 'guest' }, 30 * S, 'room-api')
  b.step('player.command_applied', 'u4', { command: 'play', version: 1, state: playerState(true, 0, hourStart + 3660 * S, 1) }, 60 * S)
  b.step('chat.message_sent', 'u5', { messageId: 'msg-b1', clientMessageId: 'c1', name: 'Anna', text: 'again?', positionMs: 60_000 }, 120 * S)
  b.step('chat.message_sent', 'u4', { messageId: 'msg-b2', clientMessageId: 'c2', name: 'Ivan', text: 'yes', positionMs: 120_000 }, 180 * S)
  b.step('player.command_applied', 'u4', { command: 'seek', version: 2, state: playerState(true, 900_000, hourStart + 3800 * S, 2) }, 200 * S)
  b.step('player.command_applied', 'u4', { command: 'pause', version: 3, state: playerState(false, 1_100_000, hourStart + 4000 * S, 3) }, 400 * S)
  b.step('chat.message_sent', 'u5', { messageId: 'msg-b3', clientMessageId: 'c3', name: 'Anna', text: 'bye', positionMs: 1_100_000 }, 500 * S)
  b.step('room.closed', 'u4', { reason: 'host' }, 600 * S, 'room-api')

  // Session C: "film-amelie", starts in the same hour as B, 20 min, closed when empty.
  const c = roomScript(hourStart + 4200 * S)
  c.step('room.created', 'u6', { filmId: 'film-amelie', ownerId: 'u6', ownerName: 'Maria', controlMode: 'everyone' }, 0, 'room-api')
  c.step('member.joined', 'u6', { name: 'Maria', role: 'host' }, 0, 'room-api')
  c.step('member.joined', 'u1', { name: 'Vasily', role: 'guest' }, 10 * S, 'room-api')
  c.step('player.command_applied', 'u6', { command: 'play', version: 1, state: playerState(true, 0, hourStart + 4220 * S, 1) }, 20 * S)
  c.step('chat.message_sent', 'u1', { messageId: 'msg-c1', clientMessageId: 'c1', name: 'Vasily', text: 'beautiful', positionMs: 280_000 }, 300 * S)
  c.step('player.command_applied', 'u1', { command: 'pause', version: 2, state: playerState(false, 300_000, hourStart + 4520 * S, 2) }, 320 * S)
  c.step('player.command_applied', 'u1', { command: 'play', version: 3, state: playerState(true, 300_000, hourStart + 4540 * S, 3) }, 340 * S)
  c.step('player.command_applied', 'u6', { command: 'seek', version: 4, state: playerState(true, 500_000, hourStart + 4600 * S, 4) }, 400 * S)
  c.step('player.command_applied', 'u6', { command: 'pause', version: 5, state: playerState(false, 1_100_000, hourStart + 5200 * S, 5) }, 1000 * S)
  c.step('room.closed', 'u6', { reason: 'empty' }, 1200 * S, 'room-api')

  const events: EventEnvelope[] = [...a.events, ...b.events, ...c.events]
  const hourA = new Date(hourStart).getUTCHours()
  const hourBC = new Date(hourStart + 3600 * S).getUTCHours()
  const byRoom = [{ roomId: a.roomId, messages: 3 }, { roomId: b.roomId, messages: 3 }, { roomId: c.roomId, messages: 1 }]
  return {
    events,
    rooms: { a: a.roomId, b: b.roomId, c: c.roomId },
    hello,
    deletion,
    expected: {
      // Ties on the count are ordered by room id, as the query sorts.
      messagesPerRoom: byRoom.sort((x, y) => y.messages - x.messages || (x.roomId < y.roomId ? -1 : 1)),
      mostDiscussedFilms: [{ filmId: 'film-matrix', messages: 6 }, { filmId: 'film-amelie', messages: 1 }],
      // 30 + 10 + 20 min over three sessions.
      sessions: { ended: 3, averageLengthMs: 1200 * S },
      // Watched: A 180→600 and 660→1800 s = 1560 s; B 60→400 s = 340 s; C 20→320 and 340→1000 s = 960 s.
      rates: { sessions: 3, plays: 5, pauses: 4, seeks: 3, watchedMs: 2860 * S },
      busiestHours: [{ hourUtc: hourBC, events: b.events.length + c.events.length }, { hourUtc: hourA, events: a.events.length }],
      // Deleted messages stay counted as sent (and their documents, text gone, in chat_messages).
      summaryA: { messages: 3, messagesDeleted: 1, mutes: 1, unmutes: 0, membersRemoved: 1, membersBanned: 0, reactions: 1, plays: 2, pauses: 1, seeks: 1, peakConcurrentMembers: 3, membersSeenCount: 3, watchedMs: 1560 * S, bufferingMs: 30 * S, durationMs: 1800 * S }
    }
  }
}
