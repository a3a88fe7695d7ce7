import { z } from 'zod'
import { RoomId, ServerTime, UserId } from './common.js'

/** Bumped when an event's shape changes incompatibly; consumers keep reading older versions. */
export const EVENT_SCHEMA_VERSION = 1

/**
 * The envelope of every record on the `watch_together` topic (the Kafka key is `roomId`).
 * `id` makes consumers idempotent; `seq` orders a room's events and guards projections.
 */
export const EventEnvelope = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, 'type is "area.past_tense_verb"'),
  roomId: RoomId,
  userId: UserId.nullable(),
  at: ServerTime,
  seq: z.number().int().nonnegative(),
  v: z.number().int().positive(),
  source: z.enum(['room-api', 'realtime', 'etl-worker', 'test']),
  payload: z.record(z.string(), z.unknown())
})
export type EventEnvelope = z.infer<typeof EventEnvelope>

/** Parses one Kafka record value; never throws, so a poison message can be dead-lettered. */
export function parseEvent (bytes: Buffer | string | null): ReturnType<typeof EventEnvelope.safeParse> | { success: false, error: Error } {
  if (bytes === null) return { success: false, error: new Error('record has no value') }
  let json: unknown
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'))
  } catch (err) {
    return { success: false, error: new Error(`value is not JSON: ${(err as Error).message}`) }
  }
  return EventEnvelope.safeParse(json)
}
