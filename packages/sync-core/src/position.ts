/** The part of the room's player state that fixes where playback is at any server time. */
export interface Timeline {
  playing: boolean
  /** Position (ms) at server time `refAt`. */
  positionMs: number
  /** Server time (epoch ms) the position refers to. */
  refAt: number
  /** Playback rate while playing (1 = normal speed). */
  rate: number
  /** Item length if known; the derived position never runs past it. */
  durationMs?: number | null
}

/**
 * The position at a server time: position + (now − reference) × rate while playing.
 * Positions are derived, never streamed. Before the reference time (a start scheduled
 * a little ahead) the position holds still.
 */
export function positionAt (timeline: Timeline, serverNow: number): number {
  if (!timeline.playing) return timeline.positionMs
  const elapsed = Math.max(0, serverNow - timeline.refAt)
  const position = timeline.positionMs + elapsed * timeline.rate
  return timeline.durationMs != null ? Math.min(position, timeline.durationMs) : position
}
