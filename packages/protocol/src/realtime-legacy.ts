import { z } from 'zod'

/**
 * The original multi-device protocol (seeds/000, "sync_player"), kept exactly: messages are keyed
 * by `type_push_state`, fields may sit under `data` or at the top level, times are the client's
 * unixtime (`time_state_update`) and positions seconds (`last_sec_position`, float).
 */
export const LegacyState = z.object({
  tracks_queue: z.array(z.union([z.number(), z.string()])),
  queue_position: z.number().int().nonnegative(),
  on_pause: z.boolean(),
  last_sec_position: z.number(),
  time_state_update: z.number()
})
export type LegacyState = z.infer<typeof LegacyState>

const tracks = z.array(z.union([z.number(), z.string()])).max(10_000)
const position = z.number().int().nonnegative()
const time = z.number()

/** The fields each `type_push_state` needs, after `data` and the top level are merged. */
export const LEGACY_MESSAGES = {
  get_player_state: z.object({}),
  push_track: z.object({ tracks_queue: tracks.min(1) }),
  new_tracks_queue: z.object({ tracks_queue: tracks, queue_position: position, time_state_update: time }),
  new_track: z.object({ queue_position: position, time_state_update: time }),
  on_pause: z.object({ time_state_update: time }),
  off_pause: z.object({ time_state_update: time }),
  change_position: z.object({ last_sec_position: z.number().nonnegative(), time_state_update: time })
} as const
export type LegacyMessageType = keyof typeof LEGACY_MESSAGES

export type LegacyMessage = { [K in LegacyMessageType]: { type: K, fields: z.infer<typeof LEGACY_MESSAGES[K]> } }[LegacyMessageType]

export const LEGACY_NO_TRACK_STATE = { type_push_state: 'no_track_state' } as const
export const LEGACY_INVALID_FORMAT = { type_push_state: 'invalid_format' } as const

/** Parses one message of the original protocol; null means invalid_format. */
export function parseLegacyMessage (json: unknown): LegacyMessage | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null
  const { type_push_state: type, data, ...top } = json as Record<string, unknown>
  if (typeof type !== 'string' || !Object.hasOwn(LEGACY_MESSAGES, type)) return null
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) return null
  const merged = { ...top, ...(data as Record<string, unknown> | undefined) }
  const parsed = LEGACY_MESSAGES[type as LegacyMessageType].safeParse(merged)
  return parsed.success ? { type, fields: parsed.data } as LegacyMessage : null
}
