import type { PlayerState } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { FilmEnd, FilmEndDeps } from './film-end.js'

/** What the ready-wait needs: the film end's parts, and the film end itself (a start is watched for its end). */
export interface ReadyWaitDeps extends FilmEndDeps { filmEnd: Pick<FilmEnd, 'watch'> }

/**
 * Waiting for buffering members on start: a start (play, seek or item change while playing) made
 * while someone is buffering keeps the room paused with `waitingUntil`; the room starts when the
 * last of them is ready, or at that deadline anyway — never for a member who opted out, never forever.
 * A stall after the start is only shown (buffering.changed), never turned into a room-wide pause.
 */
export function createReadyWait (rt: ReadyWaitDeps) {
  const timers = new Set<NodeJS.Timeout>()

  /** Online members who are buffering and did not opt out. */
  const stalled = (roomId: string) => rt.store.stalled(roomId)

  /** Turns a start into a wait when members are buffering; called before the state is stored. */
  async function holdIfStalled (roomId: string, next: PlayerState, startsPlayback: boolean, now: number): Promise<PlayerState> {
    if (!startsPlayback || !next.playing || rt.config.READY_WAIT_MS === 0) return { ...next, waitingUntil: null }
    if ((await stalled(roomId)).length === 0) return { ...next, waitingUntil: null }
    return { ...next, playing: false, refAt: now, waitingUntil: now + rt.config.READY_WAIT_MS }
  }

  /** Starts a waiting room if everyone is ready or its deadline passed. Safe to call from anywhere, any time. */
  async function startIfReady (roomId: string) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = Date.now()
      const state = await rt.store.state(roomId, now)
      if (!state.waitingUntil) return
      if (now < state.waitingUntil && (await stalled(roomId)).length > 0) return
      const started: PlayerState = { ...state, playing: true, refAt: now, waitingUntil: null, version: state.version + 1 }
      const emitted = await rt.store.emit(roomId, {
        frame: { type: 'player.state_changed', at: now, command: 'play', actor: null, state: started },
        event: { type: 'player.command_applied', userId: null, at: now, payload: { command: 'play', version: started.version, state: started } },
        cas: { expectedVersion: state.version, state: started }
      })
      if (emitted.ok) { rt.filmEnd.watch(roomId); return }
    }
  }

  /** The deadline, checked by the instance that started the wait. */
  function scheduleDeadline (roomId: string, state: PlayerState) {
    if (!state.waitingUntil) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      startIfReady(roomId).catch((err: Error) => rt.log.warn({ err }, 'starting a waiting room failed'))
    }, Math.max(0, state.waitingUntil - Date.now()) + 5)
    timer.unref()
    timers.add(timer)
  }

  async function report (roomId: string, userId: string, buffering: boolean, waitForMe: boolean | undefined) {
    await rt.store.setBuffering(roomId, userId, buffering, waitForMe)
    if (!buffering || waitForMe === false) await startIfReady(roomId)
  }

  /** A member's last connection left: they are no longer waited for. */
  async function memberLeft (roomId: string, userId: string) {
    await rt.store.clearBuffering(roomId, userId)
    await startIfReady(roomId)
  }

  return { holdIfStalled, startIfReady, scheduleDeadline, report, memberLeft, stop: () => { for (const t of timers) clearTimeout(t) } }
}
export type ReadyWait = ReturnType<typeof createReadyWait>

declare module 'fastify' {
  interface FastifyInstance {
    readyWait: ReadyWait
  }
}

export const readyWaitPlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  const readyWait = createReadyWait({ config, log: app.log, store: app.roomStore, filmEnd: app.filmEnd })
  app.decorate('readyWait', readyWait)
  app.addHook('onClose', async () => { readyWait.stop() })
}, { name: 'ready-wait', dependencies: ['room-store', 'film-end'] })
