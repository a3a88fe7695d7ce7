import type { EventEnvelope } from '@watch-together/protocol'
import { MongoBulkWriteError, MongoServerError, type AnyBulkWriteOperation, type Collection, type OptionalUnlessRequiredId, type WriteConcernSettings } from 'mongodb'
import type { ArchiveCollections, ChatMessageDoc, RoomSummary } from './collections.js'
import { chatWrites, deletionsIn, eventRedactions, isRoomEvent, type RoomEvent, toEventDoc } from './documents.js'
import { SummaryCache } from './summary-cache.js'
import { applyEvents, emptySummary } from './summary-reducer.js'
import { unlimited, type WriteLimiter } from './write-limiter.js'

/**
 * Update statements per request. FerretDB 1.24 (SQLite) keeps every statement's query open until the
 * whole update command ends (a `defer` in its loop over the statements), each holding one of the
 * database's 100 pooled connections, and then needs one more connection to write. The pool is the
 * database's, shared by every command of every client: when the open queries of the commands in
 * flight reach 100, each waits for a connection the others hold, and the database answers no request
 * again. Found by the chaos soak (issue 20): first one chunk's ~200 summary replaces in one command;
 * then, with pieces of 50, two etl-workers' commands at once (50 + 50 open queries; a goroutine dump
 * of the wedged server showed exactly 100). Pieces of 10 need ten commands in flight together to
 * wedge it: more than two workers with one write each (plus a few abandoned after a timeout) send.
 * Real MongoDB does not care.
 */
export const MAX_UPDATES_PER_REQUEST = 10

/** Sends `ops` in requests of at most MAX_UPDATES_PER_REQUEST, one after another (order kept). */
async function inPieces<T> (ops: T[], send: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < ops.length; i += MAX_UPDATES_PER_REQUEST) await send(ops.slice(i, i + MAX_UPDATES_PER_REQUEST))
}

/**
 * Acknowledged only once the write is on a majority and in the journal: the consumer commits
 * Kafka offsets after these writes return, so they must survive a server restart.
 */
export const DURABLE: WriteConcernSettings = { w: 'majority', j: true }

export interface WriteResult {
  events: number
  /** Events that were new (the rest were already archived: re-delivery or replay). */
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

/** Inserts documents whose _id may already be stored; returns the ids that were (already archived). */
async function insertOnce<T extends { _id: string }> (collection: Collection<T>, docs: T[], limit: WriteLimiter): Promise<Set<string>> {
  if (docs.length === 0) return new Set()
  try {
    await limit(() => collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false, writeConcern: DURABLE }))
    return new Set()
  } catch (err) {
    if (!onlyDuplicates(err)) throw err
    if (err instanceof MongoServerError && !(err instanceof MongoBulkWriteError)) return new Set(docs.map((d) => d._id))
    const errors = (err as MongoBulkWriteError).writeErrors
    return new Set((Array.isArray(errors) ? errors : [errors]).map((e) => docs[e.index]!._id))
  }
}

/** The room events by room. User-scoped events (roomId null) have no room: no summary, no chat. */
function byRoom (events: EventEnvelope[]): Map<string, RoomEvent[]> {
  const rooms = new Map<string, RoomEvent[]>()
  for (const event of events) {
    if (!isRoomEvent(event)) continue
    const list = rooms.get(event.roomId)
    if (list) list.push(event)
    else rooms.set(event.roomId, [event])
  }
  return rooms
}

interface FoldedRoom { before: RoomSummary, after: RoomSummary }

/** Folds each room's events into its summary: from the cache, else from one read of the misses. */
async function foldRooms (summaries: Collection<RoomSummary>, { cache, limit }: WriteOptions, rooms: Map<string, RoomEvent[]>): Promise<Map<string, FoldedRoom>> {
  const missing = [...rooms.keys()].filter((id) => cache.get(id) === undefined)
  const read = missing.length > 0 ? await limit(() => summaries.find({ _id: { $in: missing } }).toArray()) : []
  const readById = new Map(read.map((s) => [s._id, s]))
  const folded = new Map<string, FoldedRoom>()
  for (const [roomId, roomEvents] of rooms) {
    const before = cache.get(roomId) ?? readById.get(roomId) ?? emptySummary(roomId, roomEvents[0]!.at)
    folded.set(roomId, { before, after: applyEvents(before, roomEvents) })
  }
  return folded
}

/**
 * Writes the chunk's changed summaries, each conditional on the `rev` it was folded from:
 * - rooms with no stored summary yet (rev 0) in one insertMany: a summary someone else created
 *   meanwhile hits its _id, a duplicate key;
 * - the others in one bulkWrite of replaces on { _id, rev }: a stale one finds no document and its
 *   upsert hits the _id, a duplicate key too.
 * Two requests because they cost very differently on FerretDB (SQLite): an insertMany is one
 * transaction, while each statement of an update is its own (one journal sync each), and a room's
 * first summary is the most common write of a backlog of new rooms. On a conflict the rooms are read
 * again and folded afresh — the seq marks make that safe, and summaries already written fold to
 * no change — a few times before the error goes to the caller's backoff.
 */
async function writeSummaries (summaries: Collection<RoomSummary>, opts: WriteOptions, rooms: Map<string, RoomEvent[]>, folded: Map<string, FoldedRoom>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const changed = [...folded.values()].filter((f) => f.after !== f.before)
    const created = changed.filter(({ before }) => before.rev === 0).map(({ after }) => ({ ...after, rev: 1 }))
    const replaced: AnyBulkWriteOperation<RoomSummary>[] = changed.filter(({ before }) => before.rev > 0).map(({ before, after }) => {
      const { _id, ...rest } = after
      return { replaceOne: { filter: { _id, rev: before.rev }, replacement: { ...rest, rev: before.rev + 1 }, upsert: true } }
    })
    try {
      await allOrFirstError([
        created.length > 0 ? opts.limit(() => summaries.insertMany(created, { ordered: false, writeConcern: DURABLE })) : Promise.resolve(),
        inPieces(replaced, (part) => opts.limit(() => summaries.bulkWrite(part, { ordered: false, writeConcern: DURABLE })))
      ])
      for (const { before, after } of folded.values()) opts.cache.set(after === before ? before : { ...after, rev: before.rev + 1 })
      return changed.length
    } catch (err) {
      for (const roomId of rooms.keys()) opts.cache.delete(roomId)
      if (!onlyDuplicates(err) || attempt >= 3) throw err
      folded = await foldRooms(summaries, opts, rooms)
    }
  }
}

export interface WriteOptions {
  /** The summaries last written by this process; a fresh one reads every summary it needs. */
  cache: SummaryCache
  /** Bounds this process's MongoDB requests in flight (see write-limiter.ts). */
  limit: WriteLimiter
}

/**
 * Writes one chunk of parsed events (in Kafka order) to the archive. Every write is idempotent,
 * so after a failure the whole chunk is simply written again:
 * - events: insert by event id, duplicates ignored (user-scoped events too, with roomId null);
 *   then the text of messages deleted in the chunk is removed from their archived events;
 * - chat_messages: insert by message id, duplicates ignored; then reactions by $addToSet and
 *   deletions (documents.ts), so a message and its reactions or deletion may share a chunk;
 * - room_summaries: the chunk's room events folded in memory into one write per room (guarded
 *   per source seq, conditional on `rev`). User-scoped events touch no summary.
 * A message deleted in the same chunk is written without its text in the first place.
 * The three are independent and issued at the same time (as many run at once as `opts.limit`
 * lets); the caller commits only after all of them are durable.
 */
export async function writeArchive (collections: ArchiveCollections, events: EventEnvelope[], opts: WriteOptions = { cache: new SummaryCache(), limit: unlimited }): Promise<WriteResult & { duplicateIds: Set<string> }> {
  if (events.length === 0) return { events: 0, eventsInserted: 0, chatWrites: 0, summariesWritten: 0, duplicateIds: new Set() }
  const rooms = byRoom(events)
  const folded = await foldRooms(collections.roomSummaries, opts, rooms)
  const messages: ChatMessageDoc[] = []
  const updates: AnyBulkWriteOperation<ChatMessageDoc>[] = []
  for (const [roomId, roomEvents] of rooms) {
    const chat = chatWrites(roomEvents, folded.get(roomId)!.after.filmId)
    messages.push(...chat.messages)
    updates.push(...chat.updates)
  }
  const deletions = deletionsIn(events)
  const redactions = eventRedactions(events)
  const [duplicateIds, , summariesWritten] = await allOrFirstError([
    insertOnce(collections.events, events.map((e) => toEventDoc(e, deletions)), opts.limit).then(async (duplicates) => {
      await inPieces(redactions, (part) => opts.limit(() => collections.events.bulkWrite(part, { ordered: true, writeConcern: DURABLE })))
      return duplicates
    }),
    insertOnce(collections.chatMessages, messages, opts.limit).then(async () => {
      await inPieces(updates, (part) => opts.limit(() => collections.chatMessages.bulkWrite(part, { ordered: true, writeConcern: DURABLE })))
    }),
    writeSummaries(collections.roomSummaries, opts, rooms, folded)
  ] as const)
  return { events: events.length, eventsInserted: events.length - duplicateIds.size, chatWrites: messages.length + updates.length, summariesWritten, duplicateIds }
}

/** Like Promise.all, but waits for every write to settle before failing, so none is still running when the chunk is retried. */
async function allOrFirstError<T extends readonly unknown[]> (promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T
}
