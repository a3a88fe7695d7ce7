import type { RoomSession } from './session.js'
import { LEAD_MS } from './video.js'

export const SEEK_STEP_S = 5

/** The room's player commands as the page's controls and shortcuts send them; refusals become notices. */
export function commands (session: RoomSession, video: () => HTMLVideoElement | null) {
  const { client } = session
  const run = (command: () => Promise<unknown>) => { command().catch(session.fail) }
  const seekTo = (ms: number) => run(() => client.seek(Math.max(0, ms), client.state?.playing ? LEAD_MS : undefined))
  return {
    toggle: () => run(() => client.state?.playing ? client.pause() : client.play(LEAD_MS)),
    seekTo,
    seekBy: (deltaS: number) => seekTo((client.position() ?? (video()?.currentTime ?? 0) * 1000) + deltaS * 1000),
    jump: (index: number) => run(() => client.jump(index))
  }
}
export type Commands = ReturnType<typeof commands>

/**
 * A film change in a room where everyone controls the player asks first (one stray click would switch
 * everyone's film); with the controls locked only the host can change it, and does so at once.
 */
export function needsFilmConfirmation (session: RoomSession): boolean {
  return session.controlMode === 'everyone'
}
