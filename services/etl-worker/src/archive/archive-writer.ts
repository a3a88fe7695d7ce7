import type { EventEnvelope } from '@watch-together/protocol'
import { MongoBulkWriteError, MongoServerError, type AnyBulkWriteOperation, type Collection, type OptionalUnlessRequiredId, type WriteConcernSettings } from 'mongodb'
import type { ArchiveCollections, ChatMessageDoc, RoomSummary } from './collections.js'
import { chatWrites, toEventDoc } from './documents.js'
import { applyEvents, emptySummary } from './summary-reducer.js'

/**
 * Acknowledged only once the write is on a majority and in the journal: the consumer commits
 * Kafka offsets after these writes return, so they must survive a server restart.
 */
export const DURABLE: WriteConcernSettings = { w: 'majority', j: true }

export interface WriteResult {
  events: number
  eventsInserted: number
  chatWrites: number
  summariesWritten: number
}

const DUPLICATE_KEY = 11000

/** True when every failure in an unordered insert is "this id exists": those documents are already archived. */
export function onlyDuplicates (err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]
    return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY)
  }
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY
}

/** Inserts documents whose _id may already be stored; returns how many were new. */
async function insertOnce<T extends { _id: string }> (collection: Collection<T>, docs: T[]): Promise<number> {
  if (docs.length === 0) return 0
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false, writeConcern: DURABLE })
    return docs.length
  } catch (err) {
    if (!onlyDuplicates(err)) throw err
    return (err as MongoBulkWriteError).result?.insertedCount ?? 0
  }
}

function byRoom (events: EventEnvelope[]): Map<string, EventEnvelope[]> {
  const rooms = new Map<string, EventEnvelope[]>()
  for (const event of events) {
    const list = rooms.get(event.roomId)
    if (list) list.push(event)
    else rooms.set(event.roomId, [event])
  }
  return rooms
}

/**
 * Writes one chunk of parsed events (in Kafka order) to the archive. Every write is idempotent,
 * so after a failure the whole chunk is simply written again:
 * - events: insert by event id, duplicates ignored;
 * - chat_messages: insert by message id, duplicates ignored; reactions by $addToSet (documents.ts);
 * - room_summaries: read, fold the new events (guarded per source seq), and replace on the
 *   condition that `rev` has not moved. A concurrent writer (a rebalance, or the finalizer)
 *   makes the replace hit a duplicate _id and the chunk is retried on fresh summaries.
 */
export async function writeArchive (collections: ArchiveCollections, events: EventEnvelope[]): Promise<WriteResult> {
  if (events.length === 0) return { events: 0, eventsInserted: 0, chatWrites: 0, summariesWritten: 0 }
  const rooms = byRoom(events)
  const current = await collections.roomSummaries.find({ _id: { $in: [...rooms.keys()] } }).toArray()
  const currentById = new Map(current.map((s) => [s._id, s]))

  const summaryOps: AnyBulkWriteOperation<RoomSummary>[] = []
  const messages: ChatMessageDoc[] = []
  const reactions: AnyBulkWriteOperation<ChatMessageDoc>[] = []
  for (const [roomId, roomEvents] of rooms) {
    const before = currentById.get(roomId) ?? emptySummary(roomId, roomEvents[0]!.at)
    const after = applyEvents(before, roomEvents)
    const chat = chatWrites(roomEvents, after.filmId)
    messages.push(...chat.messages)
    reactions.push(...chat.reactions)
    if (after !== before) {
      const { _id, ...rest } = after
      summaryOps.push({ replaceOne: { filter: { _id, rev: before.rev }, replacement: { ...rest, rev: before.rev + 1 }, upsert: true } })
    }
  }

  // Independent collections: written side by side. Reactions and summaries follow.
  const [eventsInserted] = await Promise.all([
    insertOnce(collections.events, events.map(toEventDoc)),
    insertOnce(collections.chatMessages, messages)
  ])
  if (reactions.length > 0) await collections.chatMessages.bulkWrite(reactions, { ordered: true, writeConcern: DURABLE })
  if (summaryOps.length > 0) await collections.roomSummaries.bulkWrite(summaryOps, { ordered: true, writeConcern: DURABLE })
  return { events: events.length, eventsInserted, chatWrites: messages.length + reactions.length, summariesWritten: summaryOps.length }
}
