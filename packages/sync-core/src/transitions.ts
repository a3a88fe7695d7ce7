import type { PlayerCommand, PlayerFrame, PlayerState, RealtimeErrorCode } from '@watch-together/protocol'
import { positionAt } from './position.js'

/**
 * The room's player state machine: command + state + server time → new state. Pure, so the
 * realtime service (which stores the result with a compare-and-set on the version) and the
 * clients (which predict and test) run the very same code. Types only come from the protocol.
 */

/** The state of a room nobody has played in yet. */
export function initialState (now: number): PlayerState {
  return { queue: [], index: 0, itemId: null, playing: false, positionMs: 0, refAt: now, rate: 1, version: 0, leaderId: null }
}

/** A new room's state: its film queued, paused at 0, version 1 — set by the server, whoever connects first. */
export function filmState (filmId: string, now: number): PlayerState {
  return { ...initialState(now), queue: [filmId], itemId: filmId, version: 1 }
}

/** Where playback is at server time `now` (held still before a reference scheduled ahead). */
export function currentPosition (state: PlayerState, now: number, durationMs?: number | null): number {
  return positionAt({ ...state, durationMs }, now)
}

export type Transition =
  | { ok: true, command: PlayerCommand, state: PlayerState }
  | { ok: false, code: RealtimeErrorCode, message: string }

export interface TransitionOptions {
  /** Length of the current item when the caller knows it: positions are clamped to it. */
  durationMs?: number | null
}

function itemAt (queue: string[], index: number) {
  return queue[index] ?? null
}

/** Moves to another item: it starts from the beginning, keeping playing/paused. */
function toItem (state: PlayerState, index: number, now: number): Transition | PlayerState {
  if (index < 0 || index >= state.queue.length) {
    return { ok: false, code: 'RT_INVALID_INDEX', message: `no item at index ${index} (queue has ${state.queue.length})` }
  }
  return { ...state, index, itemId: itemAt(state.queue, index), positionMs: 0, refAt: now }
}

/**
 * Applies one player command to the state at server time `now`. A command based on another
 * version than the state's is stale and changes nothing, so a command delivered twice applies
 * once. `leadMs` moves the reference point ahead, so clients that receive the change at
 * different moments all start on the same instant.
 */
export function applyCommand (state: PlayerState, frame: PlayerFrame, actorId: string, now: number, opts: TransitionOptions = {}): Transition {
  if (frame.version !== state.version) {
    return { ok: false, code: 'RT_STALE_VERSION', message: `command based on version ${frame.version}, the room is at ${state.version}` }
  }
  const command = frame.type.slice('player.'.length) as PlayerCommand
  const clamp = (ms: number) => Math.max(0, opts.durationMs != null ? Math.min(ms, opts.durationMs) : ms)
  const here = () => clamp(currentPosition(state, now, opts.durationMs))
  let next: Transition | PlayerState
  switch (frame.type) {
    case 'player.play':
      next = state.playing
        ? state
        : { ...state, playing: true, positionMs: here(), refAt: now + (frame.leadMs ?? 0) }
      break
    case 'player.pause':
      // The paused position is fixed here from the elapsed server time, not taken from a device.
      next = { ...state, playing: false, positionMs: here(), refAt: now }
      break
    case 'player.seek':
      next = { ...state, positionMs: clamp(frame.positionMs), refAt: state.playing ? now + (frame.leadMs ?? 0) : now }
      break
    case 'player.set_rate':
      next = { ...state, positionMs: here(), refAt: now, rate: frame.rate }
      break
    case 'player.next':
      next = toItem(state, state.index + 1, now)
      break
    case 'player.previous':
      next = toItem(state, state.index - 1, now)
      break
    case 'player.jump':
      next = toItem(state, frame.index, now)
      break
    case 'player.replace_queue': {
      const index = frame.index ?? 0
      if (frame.items.length > 0 && index >= frame.items.length) {
        return { ok: false, code: 'RT_INVALID_INDEX', message: `index ${index} is outside the new queue of ${frame.items.length}` }
      }
      next = { ...state, queue: frame.items, index: frame.items.length ? index : 0, itemId: itemAt(frame.items, index), positionMs: 0, refAt: now }
      break
    }
    case 'player.append_queue': {
      const queue = [...state.queue, ...frame.items]
      if (queue.length > 1000) return { ok: false, code: 'RT_INVALID_FRAME', message: 'the queue holds at most 1000 items' }
      // An empty queue gets its first item; the current item never changes on append.
      next = { ...state, queue, itemId: state.itemId ?? itemAt(queue, state.index) }
      break
    }
  }
  if ('ok' in next) return next
  return { ok: true, command, state: { ...next, version: state.version + 1, leaderId: actorId } }
}
