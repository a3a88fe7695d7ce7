import type { PlayerCommand, PlayerFrame, PlayerState } from '@watch-together/protocol'
import { applyCommand } from '@watch-together/sync-core'
import type { RealtimeMetrics } from '../metrics.js'
import type { FilmEnd } from './film-end.js'
import type { ReadyWait } from './ready-wait.js'
import type { RoomStore } from './room-store.js'
import { actOf, isHost, refuseAct, type Session } from './session.js'

const KEEPS_WAIT = new Set<PlayerCommand>(['set_rate', 'append_queue'])

/**
 * Applies a player command: checks the version it was based on and the control mode, computes
 * the next state, and stores + broadcasts it with a compare-and-set. A lost race re-reads the
 * state, so the command then fails as stale instead of overriding the newer change.
 */
export interface PlayerDeps { store: RoomStore, filmEnd: FilmEnd, readyWait: ReadyWait, metrics: RealtimeMetrics }

export async function handlePlayerCommand (rt: PlayerDeps, session: Session, frame: PlayerFrame) {
  const roomId = session.claims.room
  const command = frame.type.slice('player.'.length) as PlayerCommand
  const reject = (code: 'RT_STALE_VERSION' | 'RT_NOT_ALLOWED' | 'RT_INVALID_INDEX' | 'RT_INVALID_FRAME', message: string, state: PlayerState) => {
    rt.metrics.frameErrors.inc({ code })
    session.reply({ type: 'player.command_rejected', ref: frame.ref, command, code, message, state })
  }

  for (let attempt = 0; attempt < 5; attempt++) {
    const now = Date.now()
    const { state, meta } = await rt.store.stateAndMeta(roomId, now)
    if (meta.controlMode === 'host_only' && !isHost(session, meta.hostId)) {
      return reject('RT_NOT_ALLOWED', 'only the host controls playback in this room', state)
    }
    // A room that played past its film's end without a report ends now; the command is then stale.
    if (await rt.filmEnd.check(roomId, { state, meta })) continue
    if (frame.version !== state.version) {
      return reject('RT_STALE_VERSION', `command based on version ${frame.version}, the room is at ${state.version}`, state)
    }
    // Positions of the room's film are clamped to its length (known from the tickets).
    const result = applyCommand(state, frame, session.claims.sub, now, { durationMs: rt.filmEnd.trackedDuration(state, meta) })
    if (!result.ok) return reject(result.code as 'RT_INVALID_INDEX', result.message, state)
    // Rate and queue additions leave a pending wait as it is; pause ends it; starts may begin one.
    const next = KEEPS_WAIT.has(command)
      ? result.state
      : await rt.readyWait.holdIfStalled(roomId, result.state, command !== 'pause', now)
    const emitted = await rt.store.emit(roomId, {
      member: actOf(session),
      frame: {
        type: 'player.state_changed',
        at: now,
        ...(frame.ref ? { ref: frame.ref } : {}),
        command,
        actor: { userId: session.claims.sub, name: session.claims.name },
        state: next
      },
      event: {
        type: 'player.command_applied',
        userId: session.claims.sub,
        at: now,
        payload: { command, version: next.version, state: next }
      },
      cas: { expectedVersion: state.version, state: next }
    })
    if (emitted.ok) {
      rt.readyWait.scheduleDeadline(roomId, next)
      rt.filmEnd.watch(roomId, { state: next, meta })
      return
    }
    if (emitted.refused) return refuseAct(session, emitted.refused, frame.ref)
  }
  session.error('RT_INTERNAL', 'the room is too busy, try again', { ref: frame.ref })
}
