import type { EventEnvelope, PendingEvent } from '@watch-together/protocol'
import type pg from 'pg'
import type { Db } from '../db/transaction.js'

/**
 * The outbox table: every statement that appends to it, reads it or empties it. Events enter in a
 * room's or a user's transaction, numbered from that room's (rooms.event_seq) or user's
 * (users.event_seq) counter; the relay publishes them in id order and deletes what Kafka acked.
 */

export type { PendingEvent }

/**
 * The one way a room's events enter the outbox (create, both join paths and every locked change
 * use it, as a CTE or a whole statement; user-scoped events go through appendUserEvents).
 * The tail of a statement that appends events: CTE `s` bumped the room's counter by the event
 * count ($count) and returned the new value; $1 is the room id, $events the events as JSON (seq 0).
 */
export const insertEventsFromS = (count: string, events: string) => `
  INSERT INTO outbox (event_id, room_id, seq, type, envelope)
  SELECT (e->>'id')::uuid, $1, s.event_seq - ${count} + o, e->>'type', jsonb_set(e, '{seq}', to_jsonb(s.event_seq - ${count} + o))
  FROM s, jsonb_array_elements(${events}::jsonb) WITH ORDINALITY AS t(e, o)`

/**
 * Appends events to the outbox inside the caller's transaction, numbering them from the room's
 * counter. Bumping `rooms.event_seq` takes the room's row lock, so one room's events get
 * gap-free, commit-ordered seqs even under concurrent changes. One round trip.
 */
export async function appendEvents (db: Db, roomId: string, events: PendingEvent[]): Promise<void> {
  if (events.length === 0) return
  await db.query(`
    WITH s AS (UPDATE rooms SET event_seq = event_seq + $2 WHERE id = $1 RETURNING event_seq)
    ${insertEventsFromS('$2', '$3')}`,
  [roomId, events.length, JSON.stringify(events.map((e) => ({ ...e, seq: 0 })))])
}

/**
 * Appends user-scoped events to the outbox inside the caller's transaction, numbering each user's
 * from users.event_seq. The counter update takes the user's row lock until commit, so one user's
 * events get gap-free, commit-ordered seqs, and the relay (id order) publishes them in that order.
 * Callers that touch two users lock both rows first, in id order (FriendsRepository.lockPair), so two
 * transactions never wait on each other's second row.
 */
export async function appendUserEvents (db: Db, events: PendingEvent[]): Promise<void> {
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

/** The relay's lock for this transaction (relays sharing one outbox take turns); false when another holds it. */
export async function tryRelayLock (db: Db, lockKey: string): Promise<boolean> {
  const lock = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [lockKey])
  return lock.rows[0]?.ok ?? false
}

/** The oldest `limit` events, in id order. */
export async function oldestEvents (db: Db, limit: number): Promise<Array<{ id: string, envelope: EventEnvelope & { trace?: string } }>> {
  const { rows } = await db.query<{ id: string, envelope: EventEnvelope & { trace?: string } }>(
    'SELECT id, envelope FROM outbox ORDER BY id LIMIT $1', [limit])
  return rows
}

export async function deleteEvents (db: Db, ids: string[]): Promise<void> {
  await db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids])
}

/** Events not yet published (the unsent gauge). */
export async function unsentCount (pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')
  return rows[0]?.n ?? 0
}
