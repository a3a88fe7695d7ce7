import { z } from 'zod'
import { ServerTime, UserId } from './common.js'

/** The authoritative player state of a room; the current position is derived, never streamed. */
export const PlayerState = z.object({
  /** Film / item ids in play order, and the index of the current one. */
  queue: z.array(z.string()),
  index: z.number().int().nonnegative(),
  itemId: z.string().nullable(),
  playing: z.boolean(),
  /** Position at `refAt`; while playing, now = positionMs + (serverNow − refAt) × rate. */
  positionMs: z.number().nonnegative(),
  /** Server ms. May lie slightly ahead (lead time): clients start playing at that instant. */
  refAt: ServerTime,
  rate: z.number().positive(),
  version: z.number().int().nonnegative(),
  /** The last member to act (the one others follow). */
  leaderId: UserId.nullable(),
  /**
   * Set while a start (play, seek or item change while playing) waits for buffering members:
   * `playing` is false until everyone is ready or this server time passes, whichever comes first.
   */
  waitingUntil: ServerTime.nullable().optional()
})
export type PlayerState = z.infer<typeof PlayerState>
