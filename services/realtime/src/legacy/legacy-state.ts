import type { LegacyMessage, LegacyState } from '@watch-together/protocol'

export type LegacyTransition =
  | { kind: 'state', state: LegacyState }
  | { kind: 'no_track_state' }
  | { kind: 'invalid_format' }

/**
 * The original protocol's state machine (seeds/000), unchanged in meaning: without a stored
 * state only new_tracks_queue is valid; on_pause fixes the position from the two client times.
 */
export function applyLegacy (state: LegacyState | null, msg: Exclude<LegacyMessage, { type: 'get_player_state' }>): LegacyTransition {
  if (msg.type === 'new_tracks_queue') {
    const f = msg.fields
    if (f.tracks_queue.length > 0 && f.queue_position >= f.tracks_queue.length) return { kind: 'invalid_format' }
    return {
      kind: 'state',
      state: { tracks_queue: f.tracks_queue, queue_position: f.queue_position, on_pause: false, last_sec_position: 0, time_state_update: f.time_state_update }
    }
  }
  if (!state) return { kind: 'no_track_state' }
  switch (msg.type) {
    case 'push_track':
      return { kind: 'state', state: { ...state, tracks_queue: [...state.tracks_queue, ...msg.fields.tracks_queue] } }
    case 'new_track':
      if (msg.fields.queue_position >= state.tracks_queue.length) return { kind: 'invalid_format' }
      return { kind: 'state', state: { ...state, queue_position: msg.fields.queue_position, last_sec_position: 0, time_state_update: msg.fields.time_state_update } }
    case 'on_pause': {
      // Paused position = last position + time played since the last update (client clocks, as specified).
      const played = state.on_pause ? 0 : Math.max(0, msg.fields.time_state_update - state.time_state_update)
      return { kind: 'state', state: { ...state, on_pause: true, last_sec_position: state.last_sec_position + played, time_state_update: msg.fields.time_state_update } }
    }
    case 'off_pause':
      return { kind: 'state', state: { ...state, on_pause: false, time_state_update: msg.fields.time_state_update } }
    case 'change_position':
      return { kind: 'state', state: { ...state, last_sec_position: msg.fields.last_sec_position, time_state_update: msg.fields.time_state_update } }
  }
}
