// attach() with a fake room and a simulated media element: which media events become commands.
import type { PlayerState } from '@watch-together/protocol'
import { ClockSync } from '@watch-together/sync-core'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { SimulatedMedia } from '../sim/simulated-media.js'
import { Emitter } from '../src/emitter.js'
import { attach, type RoomClient, type RoomClientEvents } from '../src/index.js'

/** The few RoomClient members MediaSync uses; commands are recorded, not sent. */
class FakeRoom extends Emitter<RoomClientEvents> {
  state: PlayerState
  sent: string[] = []
  buffering: boolean[] = []
  clock = new ClockSync()
  constructor (state: Partial<PlayerState> = {}) {
    super()
    this.state = { queue: ['a'], index: 0, itemId: 'a', playing: false, positionMs: 0, refAt: Date.now(), rate: 1, version: 1, leaderId: null, ...state }
  }

  now () { return Date.now() }
  serverNow () { return Date.now() }
  toLocal (serverAt: number) { return serverAt }
  set (patch: Partial<PlayerState>) {
    this.state = { ...this.state, ...patch, version: this.state.version + 1 }
    this.emit('state', this.state, { command: 'seek', actor: { userId: 'other', name: 'Other' }, seq: this.state.version, mine: false })
  }

  private record (what: string) { this.sent.push(what); return Promise.resolve(this.state) }
  play () { return this.record('play') }
  pause () { return this.record('pause') }
  seek (positionMs: number) { return this.record(`seek ${Math.round(positionMs / 1000)}s`) }
  setRate (rate: number) { return this.record(`rate ${rate}`) }
  reportBuffering (b: boolean) { this.buffering.push(b) }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function setup (t: { teardown (fn: () => unknown): void }, state: Partial<PlayerState> = {}, hidden = { value: false }) {
  const room = new FakeRoom(state)
  const media = new SimulatedMedia({ seekLatencyMs: 30, startLatencyMs: 20 })
  const sync = attach(room as unknown as RoomClient, media, { tickMs: 20, isHidden: () => hidden.value })
  t.teardown(() => sync.detach())
  return { room, media, sync, hidden }
}

t.test('own corrections (play, seek, rate nudges) never become commands', async (t) => {
  const { room, media, sync } = setup(t, { playing: true, positionMs: 120_000, refAt: Date.now() })
  await waitFor('media follows the room', () => !media.paused && Math.abs(media.currentTime * 1000 - room.serverNow() + room.state.refAt - 120_000) < 200)
  // The room jumps elsewhere, twice; then a small drift that the controller nudges away.
  room.set({ positionMs: 30_000, refAt: Date.now() })
  await sleep(200)
  room.set({ playing: false, positionMs: 45_000, refAt: Date.now() })
  await waitFor('media paused at 45 s', () => media.paused && Math.abs(media.currentTime - 45) < 0.05)
  room.set({ playing: true, positionMs: 45_000, refAt: Date.now() })
  await sleep(150)
  media.playbackRate = 1.0 // (no event: same rate) — a drift of 200 ms is made by the media clock itself:
  ;(media as unknown as { anchorMs: number }).anchorMs -= 200
  await waitFor('a rate nudge happened', () => sync.stats.rateChanges > 0)
  await sleep(300)
  t.same(room.sent, [], 'no command came from the sync itself')
  t.ok(sync.stats.followSeeks >= 2 && sync.stats.ignoredOwnEvents >= 3, `own events were recognised (${JSON.stringify(sync.stats)})`)
})

t.test('a buffering stall is reported, never a pause', async (t) => {
  const { room, media } = setup(t, { playing: true, positionMs: 0, refAt: Date.now() })
  await waitFor('playing', () => !media.paused)
  media.stall(300)
  await waitFor('stall over', () => room.buffering.length === 2, 5000)
  await sleep(100)
  t.same(room.buffering, [true, false])
  t.same(room.sent, [])
})

t.test('a hidden tab\'s pause is not the user\'s', async (t) => {
  const hidden = { value: false }
  const { room, media } = setup(t, { playing: true, positionMs: 0, refAt: Date.now() }, hidden)
  await waitFor('playing', () => !media.paused)
  hidden.value = true
  media.pause() // the browser pauses a background tab
  await sleep(200)
  t.same(room.sent, [])
  t.ok(media.paused, 'and the sync does not fight the browser while hidden')
  hidden.value = false
  await waitFor('plays again once visible', () => !media.paused)
  t.same(room.sent, [])
})

t.test('deliberate user actions become room commands', async (t) => {
  const { room, media } = setup(t, { playing: true, positionMs: 10_000, refAt: Date.now() })
  await waitFor('playing', () => !media.paused)
  await sleep(100)
  media.userPause()
  await waitFor('pause sent', () => room.sent.includes('pause'))
  media.userSeek(600_000)
  await waitFor('seek sent', () => room.sent.includes('seek 600s'))
  media.userRate(1.5)
  await waitFor('rate sent', () => room.sent.includes('rate 1.5'))
  room.set({ playing: false, positionMs: 600_000, refAt: Date.now(), rate: 1.5 })
  await sleep(100)
  media.userPlay()
  await waitFor('play sent', () => room.sent.includes('play'))
  t.same(room.sent, ['pause', 'seek 600s', 'rate 1.5', 'play'], 'each exactly once')
})
