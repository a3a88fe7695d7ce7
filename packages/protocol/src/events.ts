import { z } from 'zod'
import { RoomId, ServerTime, UserId } from './common.js'
import { EVENT_PAYLOADS, isKnownEventType, USER_SCOPED_EVENT_TYPES } from './event-types.js'

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

export type ParsedEvent = { success: true, data: EventEnvelope } | { success: false, error: Error }

/**
 * Parses one Kafka record value: the envelope, then the payload of a known type.
 * Unknown types pass (newer producers may add them). Never throws, so a poison
 * message can be dead-lettered with its reason.
 */
export function parseEvent (bytes: Buffer | string | null): ParsedEvent {
  if (bytes === null) return { success: false, error: new Error('record has no value') }
  let json: unknown
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'))
  } catch (err) {
    return { success: false, error: new Error(`value is not JSON: ${(err as Error).message}`) }
  }
  const envelope = EventEnvelope.safeParse(json)
  if (!envelope.success) return { success: false, error: new Error(`bad envelope: ${z.prettifyError(envelope.error)}`) }
  const { type, payload, roomId, userId } = envelope.data
  if ((roomId === null) !== USER_SCOPED_EVENT_TYPES.has(type)) {
    return { success: false, error: new Error(roomId === null ? `a ${type} event needs a roomId` : `a ${type} event is user-scoped: its roomId must be null`) }
  }
  if (roomId === null && userId === null) return { success: false, error: new Error('a user-scoped event needs a userId') }
  if (isKnownEventType(type)) {
    const checked = EVENT_PAYLOADS[type].safeParse(payload)
    if (!checked.success) return { success: false, error: new Error(`bad ${type} payload: ${z.prettifyError(checked.error)}`) }
  }
  return { success: true, data: envelope.data }
}

/** The Kafka key of an event: its room, or `user:<id>` for a user-scoped one. */
export function eventKey (event: Pick<EventEnvelope, 'roomId' | 'userId'>): string {
  return event.roomId ?? `user:${event.userId ?? ''}`
}
