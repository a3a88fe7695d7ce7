import { z } from 'zod'
import { RoomId, ServerTime, UserId } from './common.js'
import { EVENT_PAYLOADS, type EventPayload, type EventType, isKnownEventType, USER_SCOPED_EVENT_TYPES } from './event-types.js'

/** Bumped when an event's shape changes incompatibly; consumers keep reading older versions. */
export const EVENT_SCHEMA_VERSION = 1

/**
 * The envelope of every record on the `watch_together` topic (the Kafka key is `roomId`).
 * `id` makes consumers idempotent; `seq` orders a room's events and guards projections.
 */
export const EventEnvelope = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, 'type is "area.past_tense_verb"'),
  /** Null only for user-scoped events (USER_SCOPED_EVENT_TYPES), whose Kafka key is `user:<userId>`. */
  roomId: RoomId.nullable(),
  userId: UserId.nullable(),
  at: ServerTime,
  seq: z.number().int().nonnegative(),
  v: z.number().int().positive(),
  source: z.enum(['room-api', 'realtime', 'etl-worker', 'test']),
  payload: z.record(z.string(), z.unknown())
})
export type EventEnvelope = z.infer<typeof EventEnvelope>

/** One known event type's envelope with its payload typed (what consumers switch on). */
export type EventOf<T extends EventType> = Omit<EventEnvelope, 'type' | 'payload'> & { type: T, payload: EventPayload<T> }
/** Every event of the catalogue (event-types.ts), discriminated by `type`: switch on it and the payload is typed. */
export type WatchEvent = { [T in EventType]: EventOf<T> }[EventType]
/** The events about a room (roomId set) and about one user (roomId null, key `user:<id>`). */
export type RoomEvent = Exclude<WatchEvent, { roomId: null }>

/**
 * A parsed record: a known type comes back typed (`event`); a type this build does not know
 * (a newer producer) comes back as its envelope only (`event` null), for consumers that keep
 * everything (the archive) — the others skip it. Failures carry the reason for a dead letter.
 */
export type ParsedEvent =
  | { success: true, event: WatchEvent, envelope: EventEnvelope }
  | { success: true, event: null, envelope: EventEnvelope }
  | { success: false, error: Error }

/**
 * Parses one Kafka record value: the envelope, then the payload of a known type. Unknown types
 * pass untyped (newer producers may add them). Never throws, so a poison message can be
 * dead-lettered with its reason.
 */
export function parseEvent (bytes: Buffer | string | null): ParsedEvent {
  if (bytes === null) return { success: false, error: new Error('record has no value') }
  let json: unknown
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'))
  } catch (err) {
    return { success: false, error: new Error(`value is not JSON: ${(err as Error).message}`) }
  }
  const parsed = EventEnvelope.safeParse(json)
  if (!parsed.success) return { success: false, error: new Error(`bad envelope: ${z.prettifyError(parsed.error)}`) }
  const envelope = parsed.data
  const { type, roomId, userId } = envelope
  if ((roomId === null) !== USER_SCOPED_EVENT_TYPES.has(type)) {
    return { success: false, error: new Error(roomId === null ? `a ${type} event needs a roomId` : `a ${type} event is user-scoped: its roomId must be null`) }
  }
  if (roomId === null && userId === null) return { success: false, error: new Error('a user-scoped event needs a userId') }
  if (!isKnownEventType(type)) return { success: true, event: null, envelope }
  const payload = EVENT_PAYLOADS[type].safeParse(envelope.payload)
  if (!payload.success) return { success: false, error: new Error(`bad ${type} payload: ${z.prettifyError(payload.error)}`) }
  // The payload as its schema read it (defaults applied); the cast pairs it with its own type.
  const event = { ...envelope, payload: payload.data } as WatchEvent
  return { success: true, event, envelope: event as EventEnvelope }
}

/**
 * The typed view of an envelope that came through parseEvent, where its type's schema read the payload:
 * null for a type this build does not know. For consumers that carry envelopes (the archive keeps unknown
 * types too) and switch on the known ones without parsing or coercing the payload again.
 */
export function knownEvent (envelope: EventEnvelope): WatchEvent | null {
  return isKnownEventType(envelope.type) ? envelope as unknown as WatchEvent : null
}

/** An event before its per-room (or per-user) `seq`: the outbox that appends it numbers it. */
export type PendingEventOf<T extends EventType> = Omit<EventOf<T>, 'seq'>
export type PendingEvent = { [T in EventType]: PendingEventOf<T> }[EventType]

/**
 * The one envelope builder every producer uses (room-api, realtime, etl-worker): a fresh id,
 * the schema version, the server time unless given, and a payload its type's schema accepts
 * (checked by the type system; `seq` is given by the outbox that appends the event). Web Crypto's
 * randomUUID, so the package stays usable in browsers.
 */
export function makeEvent<T extends EventType> (
  type: T,
  fields: { roomId: string | null, userId: string | null, source: EventEnvelope['source'], payload: EventPayload<T>, at?: number, id?: string }
): PendingEventOf<T> {
  return { id: fields.id ?? globalThis.crypto.randomUUID(), type, roomId: fields.roomId, userId: fields.userId, at: fields.at ?? Date.now(), v: EVENT_SCHEMA_VERSION, source: fields.source, payload: fields.payload } as PendingEventOf<T>
}

/** The Kafka key of an event: its room, or `user:<id>` for a user-scoped one. */
export function eventKey (event: Pick<EventEnvelope, 'roomId' | 'userId'>): string {
  return event.roomId ?? `user:${event.userId ?? ''}`
}
