import { eventRecord, type OutgoingRecord } from '@watch-together/kafka'
import { type EventEnvelope, type EventPayload, type EventType, makeEvent, type PendingEvent } from '@watch-together/protocol'
import { currentTrace } from '@watch-together/service-kit'
import type { Db } from '../db/transaction.js'

export type { PendingEvent }

/**
 * A room event of room-api's (the outbox assigns its per-room `seq`). It carries the current
 * request's trace (`trace`, a W3C traceparent) in the outbox row; the relay moves it into the
 * record's Kafka headers (outboxRecord), so the published value is the envelope alone.
 */
export function roomEvent<T extends EventType> (type: T, roomId: string, userId: string | null, payload: EventPayload<T>): PendingEvent {
  return withTraceOf(makeEvent(type, { roomId, userId, source: 'room-api', payload }) as PendingEvent)
}

/** The current trace's traceparent, kept beside an event until the relay sends it as a header. */
export function withTraceOf<E extends object> (event: E): E & { trace?: string } {
  const trace = currentTrace()
  return trace ? { ...event, trace: trace.traceparent } : event
}

/** The Kafka record of an outbox row: the envelope as the value, its trace (if any) as the traceparent header. */
export function outboxRecord (stored: EventEnvelope & { trace?: string }): OutgoingRecord {
  const { trace, ...envelope } = stored
  const record = eventRecord(envelope)
  return trace ? { ...record, headers: { ...record.headers, traceparent: trace } } : record
}

/**
 * The one way a room's events enter the outbox (create, both join paths and every locked change
 * use it, as a CTE or a whole statement; user-scoped events go through user-events.ts).
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
