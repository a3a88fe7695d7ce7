import { createHash } from 'node:crypto'
import { EVENT_SCHEMA_VERSION, type EventEnvelope } from '@watch-together/protocol'
import { DURABLE } from '../archive/archive-writer.js'
import type { ArchiveCollections, RoomSummary } from '../archive/collections.js'
import { finalizeSummary } from '../archive/summary-reducer.js'

/**
 * The id of a room's `room.archived` event, derived from the room id (a name-based UUID, v5
 * layout): if the worker dies between publishing and marking the summary, the event published
 * again next time has the same id, so consumers deduplicate it.
 */
export function archivedEventId (roomId: string): string {
  const h = createHash('sha1').update(`watch-together:room.archived:${roomId}`).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function archivedEvent (summary: RoomSummary, now: number): EventEnvelope {
  const seq = Math.max(0, ...Object.values(summary.applied))
  return {
    id: archivedEventId(summary._id),
    type: 'room.archived',
    roomId: summary._id,
    userId: null,
    at: now,
    seq,
    v: EVENT_SCHEMA_VERSION,
    source: 'etl-worker',
    payload: { reason: summary.closedAt ? 'closed' : 'idle' }
  }
}

export interface FinalizerDeps {
  collections: ArchiveCollections
  publish (event: EventEnvelope): Promise<void>
  idleMs: number
  batchLimit?: number
}

/**
 * Finalizes every room that is closed, or has had no event for `idleMs`: publish `room.archived`
 * (keyed by room id), then write the final summary on the condition that nobody changed it
 * meanwhile (rev). A room whose summary moved is picked up again on the next pass. Returns the
 * rooms finalized.
 */
export async function finalizeDueRooms (deps: FinalizerDeps, now = Date.now()): Promise<string[]> {
  const due = await deps.collections.roomSummaries.find({
    finalizedAt: null,
    $or: [{ closedAt: { $ne: null } }, { lastEventAt: { $lt: new Date(now - deps.idleMs) } }]
  }).sort({ lastEventAt: 1 }).limit(deps.batchLimit ?? 100).toArray()
  const finalized: string[] = []
  for (const summary of due) {
    await deps.publish(archivedEvent(summary, now))
    const { _id, ...rest } = finalizeSummary(summary, now)
    const result = await deps.collections.roomSummaries.replaceOne({ _id, rev: summary.rev }, { ...rest, rev: summary.rev + 1 }, { writeConcern: DURABLE })
    if (result.matchedCount === 1) finalized.push(_id)
  }
  return finalized
}
