import { z } from 'zod'

/** Rooms are identified by a UUID everywhere: REST paths, websocket tickets, Kafka keys. */
export const RoomId = z.uuid()
export type RoomId = z.infer<typeof RoomId>

/** User ids come from the Auth service's `sub` claim; we only bound their size. */
export const UserId = z.string().min(1).max(128)
export type UserId = z.infer<typeof UserId>

/** Every time on the wire is the server's clock in epoch milliseconds; device clocks are never trusted. */
export const ServerTime = z.number().int().nonnegative()
export type ServerTime = z.infer<typeof ServerTime>

/**
 * Kafka topics the services share, with the partition counts they are created with: the one
 * source of truth (infra/local/stack and docker-compose.yml create these; infra/test checks they
 * agree). Each service may override the names in its config.
 */
export const TOPICS = {
  events: 'watch_together',
  deadLetter: 'watch_together.dlq'
} as const
export const TOPIC_PARTITIONS: Record<(typeof TOPICS)[keyof typeof TOPICS], number> = {
  watch_together: 12,
  'watch_together.dlq': 3
}
