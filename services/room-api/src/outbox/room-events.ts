import { eventRecord, type OutgoingRecord } from '@watch-together/kafka'
import { type EventEnvelope, type EventPayload, type EventType, makeEvent, type PendingEvent } from '@watch-together/protocol'
import { currentTrace } from '@watch-together/service-kit'

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
