// Deleted chat messages and user-scoped events, written by writeArchive to the real server: a
// deletion leaves the fact (who, when) and not the text, in chat_messages and in the archived
// message event, whether it shares the write with its message or not, re-delivered or not; a
// deletion of a message never archived creates nothing; user-scoped events (roomId null) are
// archived but make no summary, and the finalizer never sees them.
import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '@watch-together/protocol'
import t, { type Test } from 'tap'
import { writeArchive } from '../src/archive/archive-writer.js'
import { SummaryCache } from '../src/archive/summary-cache.js'
import { unlimited } from '../src/archive/write-limiter.js'
import { finalizeDueRooms } from '../src/finalizer/room-finalizer.js'
import { deviceEvent, openArchive, prepare, roomScript, testNames } from './helpers/harness.js'

async function fresh (t: Test, prefix: string) {
  const names = testNames(prefix)
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const opts = { cache: new SummaryCache(), limit: unlimited }
  const write = (events: EventEnvelope[]) => writeArchive(archive, events, opts)
  // Everything stored about the message: its chat document, its event, and whether 'secret' is anywhere.
  const stored = async (messageId: string) => ({
    chat: await archive.chatMessages.findOne({ _id: messageId }),
    event: await archive.events.findOne({ type: 'chat.message_sent', 'payload.messageId': messageId }),
    leaks: (await archive.events.countDocuments({ 'payload.text': 'secret' })) + (await archive.chatMessages.countDocuments({ text: 'secret' }))
  })
  return { archive, opts, write, stored }
}

function chatRoom () {
  const room = roomScript(Date.now() - 60_000)
  room.step('room.created', 'host', { filmId: 'film-1', ownerId: 'host', ownerName: 'H', controlMode: 'everyone' }, 0, 'room-api')
  const message = room.step('chat.message_sent', 'u2', { messageId: randomUUID(), clientMessageId: 'c1', name: 'B', text: 'secret', positionMs: 5 }, 1000, 'realtime')
  const messageId = String(message.payload.messageId)
  const reaction = room.step('chat.reaction_added', 'u3', { messageId, emoji: '👍' }, 1500, 'realtime')
  const deletion = room.step('chat.message_deleted', 'host', { messageId, authorId: 'u2' }, 2000, 'realtime')
  return { room, message, messageId, reaction, deletion }
}

t.test('a message deleted in the same write is never stored with its text; re-delivery changes nothing', async (t) => {
  const { archive, write, stored } = await fresh(t, 'mod_same')
  const { room, message, messageId, deletion } = chatRoom()

  await write(room.events)
  const first = await stored(messageId)
  t.match(first.chat, { _id: messageId, eventId: message.id, userId: 'u2', name: 'B', text: '', deleted: true, deletedAt: new Date(deletion.at), deletedBy: 'host', deletionEventId: deletion.id, reactions: [{ userId: 'u3', emoji: '👍' }] })
  t.match(first.event, { _id: message.id, payload: { messageId, text: '', name: 'B' }, redactedBy: deletion.id })
  t.equal(first.leaks, 0, 'the text is stored nowhere')
  t.match(await archive.events.findOne({ _id: deletion.id }), { type: 'chat.message_deleted', userId: 'host', at: new Date(deletion.at), payload: { messageId, authorId: 'u2' } })
  const summary = await archive.roomSummaries.findOne({ _id: room.roomId })
  t.match(summary, { messages: 1, messagesDeleted: 1, reactions: 1, rev: 1 })

  const again = await writeArchive(archive, room.events, { cache: new SummaryCache(), limit: unlimited }) // re-delivered to a fresh process
  t.equal(again.eventsInserted, 0)
  t.same(await stored(messageId), first, 'the same documents')
  t.same(await archive.roomSummaries.findOne({ _id: room.roomId }), summary, 'the summary untouched')
})

t.test('a deletion in a later write scrubs the stored message and its event; replaying both keeps it scrubbed', async (t) => {
  const { archive, write, stored } = await fresh(t, 'mod_later')
  const { room, message, messageId, deletion } = chatRoom()
  const [before, after] = [room.events.slice(0, 3), room.events.slice(3)]

  await write(before)
  t.match(await stored(messageId), { chat: { text: 'secret' }, event: { payload: { text: 'secret' } } }, 'as sent, until deleted')
  t.notOk((await stored(messageId)).chat?.deleted)
  await write(after)
  const scrubbed = await stored(messageId)
  t.match(scrubbed, { chat: { text: '', deleted: true, deletedBy: 'host', deletionEventId: deletion.id }, event: { _id: message.id, payload: { text: '' }, redactedBy: deletion.id }, leaks: 0 })

  // The whole room again (a replay of the topic), then the message alone (a late re-delivery).
  await write(before)
  await write(after)
  await write([message])
  t.same(await stored(messageId), scrubbed, 'nothing comes back, nothing moves')
  t.match(await archive.roomSummaries.findOne({ _id: room.roomId }), { messages: 1, messagesDeleted: 1, eventsApplied: room.events.length })

  // A second deletion (two hosts at once) keeps the first.
  await write([room.step('chat.message_deleted', 'host2', { messageId, authorId: 'u2' }, 3000, 'realtime')])
  t.match(await stored(messageId), { chat: { deletedBy: 'host', deletionEventId: deletion.id }, event: { redactedBy: deletion.id } })
})

t.test('a deletion of a message the archive never saw creates no message', async (t) => {
  const { archive, write } = await fresh(t, 'mod_unseen')
  const room = roomScript(Date.now())
  const unseen = room.step('chat.message_deleted', 'host', { messageId: 'never-archived', authorId: 'u2' }, 0, 'realtime')
  const kept = room.step('chat.message_sent', 'u2', { messageId: 'kept', clientMessageId: 'c', name: 'B', text: 'still here', positionMs: 0 }, 10, 'realtime')
  await write(room.events)
  t.equal(await archive.chatMessages.countDocuments({ _id: 'never-archived' }), 0, 'no text-less message made up')
  t.match(await archive.events.findOne({ _id: unseen.id }), { type: 'chat.message_deleted', userId: 'host', payload: { messageId: 'never-archived' } }, 'the deletion itself is archived')
  t.match(await archive.chatMessages.findOne({ _id: 'kept' }), { text: 'still here' })
  t.notOk((await archive.events.findOne({ _id: kept.id }))?.redactedBy, "another message's event untouched")
  t.match(await archive.roomSummaries.findOne({ _id: room.roomId }), { messages: 1, messagesDeleted: 1 })
})

t.test('user-scoped events are archived with no room: no summary, no cache entry, nothing for the finalizer', async (t) => {
  const { archive, opts, write } = await fresh(t, 'mod_user')
  const old = Date.now() - 3600_000
  const device = (userId: string, seq: number, message: string) => deviceEvent(userId, seq, old + seq, message)
  const room = roomScript(old)
  room.step('room.created', 'u1', { filmId: 'f', ownerId: 'u1', ownerName: 'A', controlMode: 'everyone' }, 0, 'room-api')
  room.step('room.closed', 'u1', { reason: 'host' }, 10, 'room-api')
  const alone = [device('u1', 1, 'new_tracks_queue'), device('u2', 1, 'on_pause')]

  const onlyUsers = await write(alone)
  t.match(onlyUsers, { events: 2, eventsInserted: 2, summariesWritten: 0 }, 'a write of user-scoped events alone')
  const mixed = [device('u1', 2, 'on_pause'), room.events[0]!, device('u1', 3, 'off_pause'), room.events[1]!]
  t.match(await write(mixed), { events: 4, eventsInserted: 4, summariesWritten: 1 })

  const userEvents = await archive.events.find({ type: 'device.state_changed' }).sort({ userId: 1, seq: 1 }).toArray()
  t.same(userEvents.map((e) => [e.roomId, e.userId, e.seq, e.payload.message]), [[null, 'u1', 1, 'new_tracks_queue'], [null, 'u1', 2, 'on_pause'], [null, 'u1', 3, 'off_pause'], [null, 'u2', 1, 'on_pause']])
  t.same(await archive.roomSummaries.find({}, { projection: { _id: 1 } }).toArray(), [{ _id: room.roomId }], 'one summary: the room')
  t.match(await archive.roomSummaries.findOne({ _id: room.roomId }), { eventsApplied: 2, applied: { 'room-api': 2 } }, "the users' seqs are not the room's")
  t.equal(opts.cache.size, 1)

  const asked: unknown[] = []
  const published: EventEnvelope[] = []
  const finalized = await finalizeDueRooms({
    collections: archive,
    owns: (id) => { asked.push(id); return true },
    publish: async (event) => { published.push(event) },
    idleMs: 1000,
    announceRetryMs: 60_000
  })
  t.same(finalized, [room.roomId], 'only the room finalized')
  t.same([...new Set(asked)], [room.roomId], 'ownership asked about the room only')
  t.same(published.map((e) => e.roomId), [room.roomId])
})
