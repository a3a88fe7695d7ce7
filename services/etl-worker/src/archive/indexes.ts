import type { IndexDescription } from 'mongodb'
import type { ArchiveCollections } from './collections.js'

/**
 * Created at start-up (createIndexes is a no-op for indexes that exist). Each one names the
 * queries it serves; docs/analysts.md lists the same. Ids (_id = event id / message id / room id)
 * are unique by construction and are what makes re-delivery harmless.
 */
export const INDEXES: Record<'events' | 'chatMessages' | 'roomSummaries', IndexDescription[]> = {
  events: [
    // A room's timeline ("what happened in room R", replays of one session), newest or oldest first.
    { key: { roomId: 1, at: 1 }, name: 'room_time' },
    // One user's activity over time (support, per-user analytics).
    { key: { userId: 1, at: 1 }, name: 'user_time' },
    // Busiest hours and "events of type T since D" scans: the report's time window.
    { key: { at: 1 }, name: 'time' }
  ],
  chatMessages: [
    // A room's chat in order (the transcript), and messages per room in a window.
    { key: { roomId: 1, at: 1 }, name: 'room_time' },
    // One user's messages over time.
    { key: { userId: 1, at: 1 }, name: 'user_time' },
    // Most-discussed films: messages grouped by film in a window.
    { key: { filmId: 1, at: 1 }, name: 'film_time' }
  ],
  roomSummaries: [
    // Sessions of a film (and film-level rates).
    { key: { filmId: 1, openedAt: 1 }, name: 'film_opened' },
    // Report windows (sessions opened since D) and average session length.
    { key: { openedAt: 1 }, name: 'opened' },
    // The finalizer's scan for rooms still to finalize, by last activity.
    { key: { finalizedAt: 1, lastEventAt: 1 }, name: 'finalize_scan' }
  ]
}

/**
 * Creates the indexes that are missing, one at a time: FerretDB 1.24 drops the connection when
 * one createIndexes command lists several indexes that already exist (seen here; real MongoDB
 * accepts it), and a restart must not trip over its own indexes.
 */
export async function ensureIndexes (collections: ArchiveCollections): Promise<void> {
  for (const name of ['events', 'chatMessages', 'roomSummaries'] as const) {
    const collection = collections[name]
    const existing = new Set((await collection.listIndexes().toArray().catch(() => [])).map((i) => String(i.name)))
    for (const index of INDEXES[name]) {
      if (!existing.has(index.name!)) await collection.createIndex(index.key, { name: index.name! })
    }
  }
}
