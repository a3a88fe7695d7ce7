import { type EventPayload, type EventType, makeEvent, type PendingEvent, USER_SCOPED_EVENT_TYPES } from '@watch-together/protocol'
import type { Db } from '../db/transaction.js'
import { withTraceOf } from './room-events.js'

/** An event of a user-scoped type (USER_SCOPED_EVENT_TYPES), before the outbox numbers it. */
export type PendingUserEvent = PendingEvent

/** An event on one user's stream (roomId null: Kafka key `user:<userId>`). */
export function userEvent<T extends EventType> (type: T, userId: string, payload: EventPayload<T>): PendingUserEvent {
  if (!USER_SCOPED_EVENT_TYPES.has(type)) throw new Error(`${type} is not a user-scoped event type`)
  // The request's trace travels with it to the Kafka headers, as room events' do (room-events.ts).
  return withTraceOf(makeEvent(type, { roomId: null, userId, source: 'room-api', payload }) as PendingUserEvent)
}

/** The same change on both people's streams, each naming the other and who acted. */
export function pairEvents (type: 'friend.request_sent' | 'friend.request_cancelled' | 'friend.request_accepted' | 'friend.request_declined' | 'friend.removed',
  actorId: string, otherId: string): PendingUserEvent[] {
  return [
    userEvent(type, actorId, { otherUserId: otherId, actorId }),
    userEvent(type, otherId, { otherUserId: actorId, actorId })
  ]
}

/**
 * Appends user-scoped events to the outbox inside the caller's transaction, numbering each user's
 * from users.event_seq. The counter update takes the user's row lock until commit, so one user's
 * events get gap-free, commit-ordered seqs, and the relay (id order) publishes them in that order.
 * Callers that touch two users lock both rows first, in id order (relationship-lock.ts), so two
 * transactions never wait on each other's second row.
 */
export async function appendUserEvents (db: Db, events: PendingUserEvent[]): Promise<void> {
  if (events.length === 0) return
  const counts = new Map<string, number>()
  for (const e of events) counts.set(e.userId as string, (counts.get(e.userId as string) ?? 0) + 1)
  const ids = [...counts.keys()].sort()
  const { rows } = await db.query<{ id: string, event_seq: string }>(
    `UPDATE users u SET event_seq = u.event_seq + c.n FROM unnest($1::text[], $2::int[]) AS c(id, n)
     WHERE u.id = c.id RETURNING u.id, u.event_seq`, [ids, ids.map((id) => counts.get(id))])
  // The first seq of each user's new events: the counter after the update, less their number.
  const next = new Map(rows.map((r) => [r.id, Number(r.event_seq) - (counts.get(r.id) ?? 0) + 1]))
  const numbered = events.map((e) => {
    const seq = next.get(e.userId as string)
    if (seq === undefined) throw new Error(`no user row for event stream ${e.userId}`)
    next.set(e.userId as string, seq + 1)
    return { ...e, seq }
  })
  await db.query(`INSERT INTO outbox (event_id, user_id, seq, type, envelope)
    SELECT (e->>'id')::uuid, e->>'userId', (e->>'seq')::bigint, e->>'type', e FROM jsonb_array_elements($1::jsonb) AS e`,
  [JSON.stringify(numbered)])
}
