import { createHash } from 'node:crypto'
import { EVENT_SCHEMA_VERSION, type EventEnvelope } from '@watch-together/protocol'
import { DURABLE } from '../archive/archive-writer.js'
import type { Filter } from 'mongodb'
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
  /**
   * Whether this instance is responsible for the room now: its Kafka partition (key = room id)
   * is assigned to this member. Every instance runs the finalizer; each finalizes only its own
   * rooms, so one room.archived is published per room (not one per instance).
   */
  owns (roomId: string): boolean
  idleMs: number
  /** A room finalized this long ago whose room.archived has not come back is announced again. */
  announceRetryMs: number
  batchLimit?: number
}

async function dueIds (deps: FinalizerDeps, filter: Filter<RoomSummary>): Promise<string[]> {
  // Ids first (other instances' rooms are skipped without reading them whole), then ours.
  const candidates = await deps.collections.roomSummaries.find(filter, { projection: { _id: 1 } }).sort({ lastEventAt: 1 }).limit(5000).toArray()
  return candidates.map((c) => c._id).filter((id) => deps.owns(id)).slice(0, deps.batchLimit ?? 100)
}

/**
 * Finalizes every room of this instance that is closed, or has had no event for `idleMs`: write
 * the final summary on the condition that nobody changed it meanwhile (rev), and only then publish
 * `room.archived` (keyed by room id), so a room is announced once even if two passes race. A room
 * whose summary moved is picked up again on the next pass. If the worker dies (or Kafka fails)
 * between the two, the room's own room.archived never reaches its summary (`archivedAt` stays
 * null): it is announced again after `announceRetryMs`, with the same event id.
 * Returns the rooms finalized.
 */
export async function finalizeDueRooms (deps: FinalizerDeps, now = Date.now()): Promise<string[]> {
  const dueFilter: Filter<RoomSummary> = {
    finalizedAt: null,
    $or: [{ closedAt: { $ne: null } }, { lastEventAt: { $lt: new Date(now - deps.idleMs) } }]
  }
  const finalized: string[] = []
  const ours = await dueIds(deps, dueFilter)
  const due = ours.length > 0 ? await deps.collections.roomSummaries.find({ ...dueFilter, _id: { $in: ours } }).toArray() : []
  for (const summary of due) {
    // The partition may have moved during the pass: its new owner finalizes the room.
    if (!deps.owns(summary._id)) continue
    const { _id, ...rest } = finalizeSummary(summary, now)
    const result = await deps.collections.roomSummaries.replaceOne({ _id, rev: summary.rev }, { ...rest, rev: summary.rev + 1 }, { writeConcern: DURABLE })
    if (result.matchedCount !== 1) continue
    await deps.publish(archivedEvent(summary, now))
    finalized.push(_id)
  }

  const unannounced = await dueIds(deps, { finalizedAt: { $lt: new Date(now - deps.announceRetryMs) }, archivedAt: null })
  if (unannounced.length > 0) {
    for (const summary of await deps.collections.roomSummaries.find({ _id: { $in: unannounced } }).toArray()) {
      if (deps.owns(summary._id) && summary.archivedAt === null) await deps.publish(archivedEvent(summary, summary.finalizedAt?.getTime() ?? now))
    }
  }
  return finalized
}
