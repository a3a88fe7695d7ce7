// The original protocol's parser and state machine alone (pure: no servers).
import { parseLegacyMessage } from '@watch-together/protocol'
import t from 'tap'
import { applyLegacy } from '../../src/legacy/legacy-state.js'

t.test('both shapes parse to the same message', async (t) => {
  const top = parseLegacyMessage({ type_push_state: 'new_track', queue_position: 2, time_state_update: 5 })
  const nested = parseLegacyMessage({ type_push_state: 'new_track', data: { queue_position: 2, time_state_update: 5 } })
  t.same(top, nested)
  t.same(top, { type: 'new_track', fields: { queue_position: 2, time_state_update: 5 } })
  t.equal(parseLegacyMessage({ type_push_state: 'new_track', data: { queue_position: -1, time_state_update: 5 } }), null)
  t.equal(parseLegacyMessage('text'), null)
})

t.test('on_pause adds the time played since the last update; a second pause adds nothing', async (t) => {
  const start = applyLegacy(null, { type: 'new_tracks_queue', fields: { tracks_queue: [1, 2], queue_position: 0, time_state_update: 100 } })
  if (start.kind !== 'state') throw new Error('expected a state')
  const paused = applyLegacy(start.state, { type: 'on_pause', fields: { time_state_update: 130 } })
  t.match(paused, { kind: 'state', state: { on_pause: true, last_sec_position: 30, time_state_update: 130 } })
  if (paused.kind !== 'state') throw new Error('expected a state')
  t.match(applyLegacy(paused.state, { type: 'on_pause', fields: { time_state_update: 200 } }), { state: { last_sec_position: 30 } })
  t.match(applyLegacy(null, { type: 'push_track', fields: { tracks_queue: [3] } }), { kind: 'no_track_state' })
  t.match(applyLegacy(start.state, { type: 'new_track', fields: { queue_position: 5, time_state_update: 1 } }), { kind: 'invalid_format' })
})
