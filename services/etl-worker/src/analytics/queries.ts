import type { Document, Filter } from 'mongodb'
import type { ArchiveCollections, RoomSummary } from '../archive/collections.js'

/**
 * The analysts' example queries (docs/analysts.md shows the same pipelines; test/analytics.test.ts
 * runs them against an archive of seeded sessions). They stay within what both MongoDB and
 * FerretDB 1.x run: $match/$group/$sort/$limit with ONE accumulator per $group — FerretDB 1.24
 * returns 0 for every accumulator after the first — and no date operators ($hour is
 * precomputed as `hourUtc`), no $divide (ratios are taken in code).
 */
export const pipelines = {
  messagesPerRoom: (since: Date, limit: number): Document[] => [
    { $match: { at: { $gte: since } } },
    { $group: { _id: '$roomId', messages: { $sum: 1 } } },
    { $sort: { messages: -1, _id: 1 } },
    { $limit: limit }
  ],
  mostDiscussedFilms: (since: Date, limit: number): Document[] => [
    { $match: { at: { $gte: since } } },
    { $group: { _id: '$filmId', messages: { $sum: 1 } } },
    { $sort: { messages: -1, _id: 1 } },
    { $limit: limit }
  ],
  /** One summary field summed over the sessions matching `filter`. */
  sumOf: (filter: Filter<RoomSummary>, field: keyof RoomSummary): Document[] => [
    { $match: filter },
    { $group: { _id: null, total: { $sum: `$${field}` } } }
  ],
  busiestHours: (since: Date): Document[] => [
    { $match: { at: { $gte: since } } },
    { $group: { _id: '$hourUtc', events: { $sum: 1 } } },
    { $sort: { events: -1, _id: 1 } }
  ]
}

/** Sessions opened in the window. */
export const openedSince = (since: Date): Filter<RoomSummary> => ({ openedAt: { $gte: since } })
/** Sessions opened in the window that have ended (closed, or finalized after going idle). */
export const endedSince = (since: Date): Filter<RoomSummary> => ({
  openedAt: { $gte: since },
  $or: [{ closedAt: { $ne: null } }, { finalizedAt: { $ne: null } }]
})

export interface Report {
  since: Date
  messagesPerRoom: Array<{ roomId: string, messages: number }>
  mostDiscussedFilms: Array<{ filmId: string | null, messages: number }>
  sessions: { ended: number, averageLengthMs: number | null }
  rates: {
    sessions: number
    plays: number
    pauses: number
    seeks: number
    watchedMs: number
    pausesPerSession: number | null
    seeksPerSession: number | null
    pausesPerWatchedHour: number | null
    seeksPerWatchedHour: number | null
  }
  busiestHours: Array<{ hourUtc: number, events: number }>
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null)

async function sum (collections: ArchiveCollections, filter: Filter<RoomSummary>, field: keyof RoomSummary): Promise<number> {
  const [row] = await collections.roomSummaries.aggregate<{ total: number }>(pipelines.sumOf(filter, field)).toArray()
  return Number(row?.total ?? 0)
}

export async function buildReport (collections: ArchiveCollections, since: Date, limit = 10): Promise<Report> {
  const perRoom = await collections.chatMessages.aggregate<{ _id: string, messages: number }>(pipelines.messagesPerRoom(since, limit)).toArray()
  const perFilm = await collections.chatMessages.aggregate<{ _id: string | null, messages: number }>(pipelines.mostDiscussedFilms(since, limit)).toArray()
  const ended = await collections.roomSummaries.countDocuments(endedSince(since))
  const endedMs = await sum(collections, endedSince(since), 'durationMs')
  const opened = openedSince(since)
  const sessions = await collections.roomSummaries.countDocuments(opened)
  const [plays, pauses, seeks, watchedMs] = [
    await sum(collections, opened, 'plays'),
    await sum(collections, opened, 'pauses'),
    await sum(collections, opened, 'seeks'),
    await sum(collections, opened, 'watchedMs')
  ]
  const hours = await collections.events.aggregate<{ _id: number, events: number }>(pipelines.busiestHours(since)).toArray()
  return {
    since,
    messagesPerRoom: perRoom.map((r) => ({ roomId: r._id, messages: r.messages })),
    mostDiscussedFilms: perFilm.map((r) => ({ filmId: r._id, messages: r.messages })),
    sessions: { ended, averageLengthMs: ratio(endedMs, ended) },
    rates: {
      sessions,
      plays,
      pauses,
      seeks,
      watchedMs,
      pausesPerSession: ratio(pauses, sessions),
      seeksPerSession: ratio(seeks, sessions),
      pausesPerWatchedHour: ratio(pauses, watchedMs / 3600_000),
      seeksPerWatchedHour: ratio(seeks, watchedMs / 3600_000)
    },
    busiestHours: hours.map((h) => ({ hourUtc: h._id, events: h.events }))
  }
}
