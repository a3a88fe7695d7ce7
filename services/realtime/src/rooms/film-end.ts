import type { PlayerReportEndedFrame, PlayerState, RealtimeErrorCode } from '@watch-together/protocol'
import type { z } from 'zod'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { currentPosition } from '@watch-together/sync-core'
import type { RoomMeta, RoomStore } from './room-store.js'
import { actOf, type Session } from './session.js'

/** What the film end needs (a part of the realtime core, built before the rest). */
export interface FilmEndDeps { config: Config, log: FastifyBaseLogger, store: RoomStore }

type ReportEnded = z.infer<typeof PlayerReportEndedFrame>
type EndRefusal = Extract<RealtimeErrorCode, 'RT_STALE_VERSION' | 'RT_WRONG_ITEM' | 'RT_END_UNTRACKED' | 'RT_NOT_ENDED' | 'RT_ALREADY_ENDED'>

/**
 * The end of the room's film. Only the room's film ends a room: it is the film the room was made
 * for (room-api's rooms.film_id), and the only item whose length realtime knows (from the ticket).
 * Other queue items play on past their end as before, and reports about them are refused.
 *
 * Two ways in, one effect: a member's report (checked against the server's own clock, never taken
 * on trust), or, when nobody reports, the server itself END_FALLBACK_MS after the derived position
 * passed the film's length. Either way the room is paused at the end (a normal state frame, so late
 * joiners do not start it again) and `player.ended` goes to Kafka through the outbox, all in one
 * compare-and-set on the state version, so an end is counted once across every instance.
 */
export function createFilmEnd (rt: FilmEndDeps) {
  const timers = new Map<string, NodeJS.Timeout>()

  /** The film's length when the state's current item is the room's film; null when unknown. */
  function trackedDuration (state: PlayerState, meta: RoomMeta): number | null {
    return state.itemId !== null && state.itemId === meta.filmId ? meta.filmDurationMs : null
  }

  /** Server time at which the derived position reaches `durationMs` (the state is playing). */
  function reachesEndAt (state: PlayerState, durationMs: number): number {
    // Set at (or past) the end: it was there from the state's reference time.
    if (state.positionMs >= durationMs) return state.refAt
    return state.refAt + (durationMs - state.positionMs) / state.rate
  }

  /** `${itemId}@${version}`: stored with the ended state, so a report of the same end is recognised. */
  const marker = (itemId: string, version: number) => `${itemId}@${version}`

  async function read (roomId: string, now: number) {
    // One hash, one read: the state and the marker of the last end always agree.
    const [{ state, ended }, meta] = await Promise.all([rt.store.stateWithEnd(roomId, now), rt.store.meta(roomId)])
    return { state, ended, meta }
  }

  /** Pauses the room at the end and publishes player.ended, if the state is still `state`. */
  async function end (roomId: string, state: PlayerState, durationMs: number, now: number, reporter: Session | null, ref?: string) {
    const ended: PlayerState = { ...state, playing: false, positionMs: durationMs, refAt: now, waitingUntil: null, version: state.version + 1 }
    const itemId = state.itemId ?? ''
    const emitted = await rt.store.emit(roomId, {
      ...(reporter ? { member: actOf(reporter) } : {}),
      frame: { type: 'player.state_changed', at: now, ...(ref ? { ref } : {}), command: 'pause', actor: null, state: ended, ended: true },
      event: { type: 'player.ended', userId: reporter?.claims.sub ?? null, at: now, payload: { itemId, version: ended.version } },
      cas: { expectedVersion: state.version, state: ended, endedMarker: marker(itemId, state.version) }
    })
    if (emitted.ok) {
      clearTimeout(timers.get(roomId))
      timers.delete(roomId)
      rt.log.info({ roomId, itemId, reporter: reporter?.claims.sub ?? null }, 'the room\'s film ended')
    }
    return emitted.ok
  }

  /** A member's player reached the end of `frame.itemId`; accepted only if the server agrees. */
  async function handleReport (session: Session, frame: ReportEnded) {
    const roomId = session.claims.room
    const refuse = (code: EndRefusal, message: string) => session.error(code, message, { ref: frame.ref })
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = Date.now()
      const { state, ended, meta } = await read(roomId, now)
      if (ended === marker(frame.itemId, frame.version)) {
        return refuse('RT_ALREADY_ENDED', 'this end was already counted: the room is paused at the end of the film')
      }
      if (frame.version !== state.version) {
        return refuse('RT_STALE_VERSION', `report based on version ${frame.version}, the room is at ${state.version}`)
      }
      if (frame.itemId !== state.itemId) return refuse('RT_WRONG_ITEM', `the room is playing ${JSON.stringify(state.itemId)}, not ${JSON.stringify(frame.itemId)}`)
      const durationMs = trackedDuration(state, meta)
      if (durationMs === null) {
        return refuse('RT_END_UNTRACKED', 'only the room\'s own film ends the room, and its length is known only for it')
      }
      if (!state.playing) return refuse('RT_NOT_ENDED', 'the room is paused: only playback reaching the end ends the film')
      const position = currentPosition(state, now)
      if (position < durationMs - rt.config.END_TOLERANCE_MS) {
        return refuse('RT_NOT_ENDED', `the room is at ${Math.round(position)} ms of ${durationMs} ms`)
      }
      if (await end(roomId, state, durationMs, now, session, frame.ref)) return
      // Lost a race with another change: look again (a concurrent report of this end is then a duplicate).
    }
    session.error('RT_INTERNAL', 'the room is too busy, try again', { ref: frame.ref })
  }

  /**
   * The fallback: ends the film if the room has played past it for END_FALLBACK_MS without a report,
   * otherwise makes sure this instance looks again when that time comes. Returns whether it ended now.
   * `known` saves a read when the caller has just read the state and meta.
   */
  async function check (roomId: string, known?: { state: PlayerState, meta: RoomMeta }): Promise<boolean> {
    const now = Date.now()
    const { state, meta } = known ?? await read(roomId, now)
    const durationMs = trackedDuration(state, meta)
    // A closed room is over already (room-api closed it; its sockets are gone).
    if (durationMs === null || !state.playing || meta.closed) return false
    const due = reachesEndAt(state, durationMs) + rt.config.END_FALLBACK_MS
    if (now >= due) return await end(roomId, state, durationMs, now, null)
    schedule(roomId, due - now)
    return false
  }

  function schedule (roomId: string, inMs: number) {
    clearTimeout(timers.get(roomId))
    const timer = setTimeout(() => {
      if (timers.get(roomId) === timer) timers.delete(roomId)
      check(roomId).catch((err: Error) => rt.log.warn({ err, roomId }, 'checking the film\'s end failed'))
    }, Math.min(inMs + 5, 2 ** 31 - 1))
    timer.unref()
    timers.set(roomId, timer)
  }

  /** After this instance stored a playing state (or a member joined): look at the end, never throw. */
  function watch (roomId: string, known?: { state: PlayerState, meta: RoomMeta }) {
    if (known && !known.state.playing) return
    check(roomId, known).catch((err: Error) => rt.log.warn({ err, roomId }, 'checking the film\'s end failed'))
  }

  return {
    handleReport,
    check,
    watch,
    trackedDuration,
    stop: () => { for (const timer of timers.values()) clearTimeout(timer); timers.clear() }
  }
}
export type FilmEnd = ReturnType<typeof createFilmEnd>

declare module 'fastify' {
  interface FastifyInstance {
    filmEnd: FilmEnd
  }
}

export const filmEndPlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  const filmEnd = createFilmEnd({ config, log: app.log, store: app.roomStore })
  app.decorate('filmEnd', filmEnd)
  app.addHook('onClose', async () => { filmEnd.stop() })
}, { name: 'film-end', dependencies: ['room-store'] })
