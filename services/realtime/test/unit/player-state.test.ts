// The player state machine alone (pure: no servers).
import type { PlayerFrame } from '@watch-together/protocol'
import t from 'tap'
import { applyCommand, currentPosition, initialState } from '@watch-together/sync-core'

const at = 1_000_000
/** A player frame without its version (distributed over the union, so each command keeps its own fields). */
type Unversioned<F> = F extends unknown ? Omit<F, 'version'> : never
const apply = (state: ReturnType<typeof initialState>, frame: Unversioned<PlayerFrame>, now = at) => {
  const result = applyCommand(state, { ...frame, version: state.version } as PlayerFrame, 'u1', now)
  if (!result.ok) throw new Error(result.message)
  return result.state
}

t.test('position is derived from the reference point and the rate', async (t) => {
  let s = apply(initialState(at), { type: 'player.replace_queue', items: ['a', 'b'] })
  s = apply(s, { type: 'player.play' })
  t.equal(currentPosition(s, at + 10_000), 10_000)
  s = apply(s, { type: 'player.set_rate', rate: 2 }, at + 10_000)
  t.equal(currentPosition(s, at + 15_000), 20_000, 'rate changes keep the position continuous')
  s = apply(s, { type: 'player.pause' }, at + 15_000)
  t.equal(s.positionMs, 20_000, 'pause fixes the position from elapsed time')
  t.equal(currentPosition(s, at + 99_000), 20_000, 'and it stays there')
  t.equal(s.version, 4)
  t.equal(s.leaderId, 'u1')
})

t.test('lead time: the reference lies ahead and nothing moves before it', async (t) => {
  let s = apply(initialState(at), { type: 'player.seek', positionMs: 5000 })
  s = apply(s, { type: 'player.play', leadMs: 300 })
  t.equal(s.refAt, at + 300)
  t.equal(currentPosition(s, at + 100), 5000)
  t.equal(currentPosition(s, at + 1300), 6000)
})

t.test('queue moves and their limits', async (t) => {
  let s = apply(initialState(at), { type: 'player.append_queue', items: ['a'] })
  t.equal(s.itemId, 'a', 'the first appended item becomes current')
  s = apply(s, { type: 'player.append_queue', items: ['b', 'c'] })
  s = apply(s, { type: 'player.jump', index: 2 })
  t.equal(s.itemId, 'c')
  const past = applyCommand(s, { type: 'player.next', version: s.version }, 'u1', at)
  t.match(past, { ok: false, code: 'RT_INVALID_INDEX' })
  const before = applyCommand(initialState(at), { type: 'player.previous', version: 0 }, 'u1', at)
  t.match(before, { ok: false, code: 'RT_INVALID_INDEX' })
  const outside = applyCommand(s, { type: 'player.replace_queue', version: s.version, items: ['x'], index: 3 }, 'u1', at)
  t.match(outside, { ok: false, code: 'RT_INVALID_INDEX' })
  s = apply(s, { type: 'player.replace_queue', items: [] })
  t.match(s, { queue: [], itemId: null, index: 0 })
})
