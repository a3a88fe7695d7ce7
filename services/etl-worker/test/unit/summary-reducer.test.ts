import t from 'tap'
import type { RoomSummary } from '../../src/archive/collections.js'
import { applyEvent, applyEvents, emptySummary, finalizeSummary } from '../../src/archive/summary-reducer.js'
import { playerState, roomScript } from '../helpers/harness.js'
import { seededSessions } from '../helpers/seed-sessions.js'

const T0 = Date.UTC(2026, 0, 1, 10)

t.test('folds a session into the figures worked out by hand', async (t) => {
  const seed = seededSessions(T0)
  const roomA = seed.events.filter((e) => e.roomId === seed.rooms.a)
  const s = applyEvents(emptySummary(seed.rooms.a, T0), roomA)
  t.match(s, { ...seed.expected.summaryA, filmId: 'film-matrix', hostId: 'u1', closeReason: 'film_ended', present: [], playingSince: null, bufferingOpen: [] })
  t.equal(s.eventsApplied, roomA.length)
  t.same(s.applied, { 'room-api': 18, test: 16 })
})

t.test('an event at or below the source mark is not applied again', async (t) => {
  const seed = seededSessions(T0)
  const roomA = seed.events.filter((e) => e.roomId === seed.rooms.a)
  const once = applyEvents(emptySummary(seed.rooms.a, T0), roomA)
  t.equal(applyEvents(once, roomA), once, 'a full replay returns the very same summary')
  const message = roomA.find((e) => e.type === 'chat.message_sent')!
  t.equal(applyEvent(once, message), once)
  t.equal(applyEvent(once, { ...message, id: 'x', seq: 99 }).messages, once.messages + 1, 'a newer seq counts')
})

t.test('marks are per source, so two producers numbering on their own both count', async (t) => {
  const room = roomScript(T0)
  const joined = room.step('member.joined', 'u1', { name: 'A', role: 'host' }, 0, 'room-api')
  const chat = room.step('chat.message_sent', 'u1', { messageId: 'm', clientMessageId: 'c', name: 'A', text: 'x', positionMs: 0 }, 10, 'realtime')
  const s = applyEvents(emptySummary(room.roomId, T0), [{ ...joined, seq: 5 }, { ...chat, seq: 1 }])
  t.equal(s.membersSeenCount, 1)
  t.equal(s.messages, 1)
})

t.test('applying does not change the summary it was given', async (t) => {
  const room = roomScript(T0)
  room.step('member.joined', 'u1', { name: 'A', role: 'guest' }, 0)
  const start = emptySummary(room.roomId, T0)
  applyEvents(start, room.events)
  t.same(start, emptySummary(room.roomId, T0))
})

t.test('peak concurrent members, buffering closed when a member leaves', async (t) => {
  const room = roomScript(T0)
  for (const u of ['a', 'b', 'c']) room.step('member.joined', u, { name: u, role: 'guest' }, 0)
  room.step('buffering.started', 'b', { itemId: null }, 1000)
  room.step('member.left', 'b', { name: 'b', reason: 'left' }, 4000)
  room.step('member.left', 'c', { name: 'c', reason: 'removed' }, 5000)
  room.step('member.joined', 'd', { name: 'd', role: 'guest' }, 6000)
  const s = applyEvents(emptySummary(room.roomId, T0), room.events)
  t.equal(s.peakConcurrentMembers, 3)
  t.equal(s.membersSeenCount, 4)
  t.same(s.present, ['a', 'd'])
  t.equal(s.bufferingMs, 3000)
})

t.test('finalizing an idle room ends open intervals at its last event, not at now', async (t) => {
  const room = roomScript(T0)
  room.step('room.created', 'u1', { filmId: 'f', ownerId: 'u1', ownerName: 'A', controlMode: 'everyone' }, 0)
  room.step('player.command_applied', 'u1', { command: 'play', version: 1, state: playerState(true, 0, T0, 1) }, 1000)
  room.step('chat.message_sent', 'u1', { messageId: 'm', clientMessageId: 'c', name: 'A', text: 'x', positionMs: 0 }, 61_000)
  const s = finalizeSummary(applyEvents(emptySummary(room.roomId, T0), room.events), T0 + 86_400_000)
  t.match(s, { watchedMs: 60_000, playingSince: null, durationMs: 61_000, finalReason: 'idle', finalizedAt: new Date(T0 + 86_400_000) })
})

t.test('room.archived only marks the summary', async (t) => {
  const room = roomScript(T0)
  room.step('room.created', 'u1', { filmId: 'f', ownerId: 'u1', ownerName: 'A', controlMode: 'everyone' }, 0)
  const s = applyEvents(emptySummary(room.roomId, T0), room.events)
  const archived = applyEvent(s, { ...room.events[0]!, id: 'z', type: 'room.archived', source: 'etl-worker', seq: 1, at: T0 + 999_999, payload: {} })
  t.match(archived, { archivedAt: new Date(T0 + 999_999), lastEventAt: s.lastEventAt, eventsApplied: 1, durationMs: 0 })
})

t.test('moderation counters: deletions, removals, bans, mutes — each counted once', async (t) => {
  const room = roomScript(T0)
  room.step('room.created', 'h', { filmId: 'f', ownerId: 'h', ownerName: 'H', controlMode: 'everyone' }, 0, 'room-api')
  for (const u of ['a', 'b', 'c', 'd']) room.step('member.joined', u, { name: u, role: 'guest' }, 1, 'room-api')
  room.step('member.mute_changed', 'a', { actorId: 'h', muted: true }, 2, 'room-api')
  room.step('member.mute_changed', 'a', { actorId: 'h', muted: false }, 3, 'room-api')
  room.step('member.mute_changed', 'b', { actorId: 'h', muted: true }, 4, 'room-api')
  room.step('member.left', 'b', { name: 'b', reason: 'removed', actorId: 'h' }, 5, 'room-api')
  room.step('member.left', 'c', { name: 'c', reason: 'banned', actorId: 'h' }, 6, 'room-api')
  room.step('member.left', 'd', { name: 'd', reason: 'left' }, 7, 'room-api')
  room.step('member.left', 'a', { name: 'a' }, 8, 'room-api') // an older event, without a reason
  room.step('chat.message_sent', 'h', { messageId: 'm1', clientMessageId: 'c1', name: 'H', text: 'x', positionMs: 0 }, 9, 'realtime')
  room.step('chat.message_deleted', 'h', { messageId: 'm1', authorId: 'h' }, 10, 'realtime')
  const s = applyEvents(emptySummary(room.roomId, T0), room.events)
  t.match(s, { messages: 1, messagesDeleted: 1, membersRemoved: 1, membersBanned: 1, mutes: 2, unmutes: 1, present: ['h'], membersSeenCount: 5, eventsApplied: room.events.length })
  t.equal(applyEvents(s, room.events), s, 'a replay counts nothing again')
})

t.test('a summary stored before the moderation counters existed counts them from zero', async (t) => {
  const room = roomScript(T0)
  const { messagesDeleted, membersRemoved, membersBanned, mutes, unmutes, ...old } = emptySummary(room.roomId, T0)
  t.same([messagesDeleted, membersRemoved, membersBanned, mutes, unmutes], [0, 0, 0, 0, 0])
  const s = applyEvent(old as RoomSummary, room.step('chat.message_deleted', 'h', { messageId: 'm', authorId: 'u' }, 0))
  t.match(s, { messagesDeleted: 1, membersRemoved: 0, membersBanned: 0, mutes: 0, unmutes: 0 })
})

t.test('a user-scoped event changes no summary', async (t) => {
  const room = roomScript(T0)
  room.step('room.created', 'u1', { filmId: 'f', ownerId: 'u1', ownerName: 'A', controlMode: 'everyone' }, 0, 'realtime')
  const s = applyEvents(emptySummary(room.roomId, T0), room.events)
  const device = { ...room.events[0]!, id: 'd', type: 'device.state_changed', roomId: null, seq: 99, at: T0 + 5000, payload: { message: 'on_pause', deviceId: 'x', state: {} } }
  t.equal(applyEvent(s, device), s)
})
