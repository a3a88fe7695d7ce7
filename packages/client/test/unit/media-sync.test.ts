// attach() with a fake room and a simulated media element: which media events become commands.
import type { PlayerState } from '@watch-together/protocol'
import { ClockSync } from '@watch-together/sync-core'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { SimulatedMedia } from '../../sim/simulated-media.js'
import { Emitter } from '../../src/emitter.js'
import { attach, type RoomClient, type RoomClientEvents } from '../../src/index.js'

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
  seek (positionMs: number, leadMs?: number) { return this.record(`seek ${Math.round(positionMs / 1000)}s${leadMs ? ' on an instant' : ''}`) }
  setRate (rate: number) { return this.record(`rate ${rate}`) }
  reportBuffering (b: boolean) { this.buffering.push(b) }
  reportsPlaying = false
  reportPlaying (playing: boolean) { this.reportsPlaying = playing }
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
  // The drift is made only once the media plays on the room's timeline: made while the start was still
  // being cued (a loaded machine's late timers), it was absorbed by that cue and nothing was left to correct.
  const offMs = () => room.serverNow() - room.state.refAt + 45_000 - media.currentTime * 1000
  await waitFor('media plays on from 45 s, no nudge in progress', () => !media.paused && media.playbackRate === 1 && Math.abs(offMs()) < 50)
  // A drift of 200 ms made by the media clock itself (no event). It is corrected by a rate nudge, or,
  // when a loaded machine's late ticks measured it past the nudge band, by a seek (counted as following
  // while the room's change is recent): either is the sync's own change and must not become a command.
  const before = { ...sync.stats }
  ;(media as unknown as { anchorMs: number }).anchorMs -= 200
  await waitFor('the drift corrected (a rate nudge or a seek)', () => sync.stats.rateChanges > before.rateChanges ||
    sync.stats.correctiveSeeks > before.correctiveSeeks || sync.stats.followSeeks > before.followSeeks)
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
  await waitFor('seek sent', () => room.sent.includes('seek 600s on an instant'))
  media.userRate(1.5)
  await waitFor('rate sent', () => room.sent.includes('rate 1.5'))
  room.set({ playing: false, positionMs: 600_000, refAt: Date.now(), rate: 1.5 })
  await sleep(100)
  media.userPlay()
  await waitFor('play sent', () => room.sent.includes('play'))
  t.same(room.sent, ['pause', 'seek 600s on an instant', 'rate 1.5', 'play'], 'each exactly once (a seek in a playing room starts on an instant, as a play does)')
})

/** Counts seeks made while the media was playing (a cue seeks paused, then starts on an instant). */
class RecordingMedia extends SimulatedMedia {
  seeksWhilePlaying = 0
  override get currentTime () { return super.currentTime }
  override set currentTime (seconds: number) {
    if (!this.paused) this.seeksWhilePlaying++
    super.currentTime = seconds
  }
}

t.test('a room seek while playing is followed by a cue: paused seek ahead, then a start on an instant', async (t) => {
  const room = new FakeRoom({ playing: true, positionMs: 60_000, refAt: Date.now() })
  const media = new RecordingMedia({ seekLatencyMs: 40, startLatencyMs: 10, latencyJitter: 0.5 })
  const sync = attach(room as unknown as RoomClient, media, { tickMs: 20, isHidden: () => false })
  t.teardown(() => sync.detach())
  await waitFor('playing', () => !media.paused && sync.stats.followSeeks >= 1)
  const starts = media.log.filter((e) => e === 'play').length
  room.set({ positionMs: 900_000, refAt: Date.now() })
  await waitFor('started again', () => media.log.filter((e) => e === 'play').length > starts && !media.paused)
  t.equal(media.seeksWhilePlaying, 0, 'never a seek on the run')
  t.ok(media.currentTime > 900, 'on the new position')
  t.ok(sync.leads.seekMs > 0 && sync.leads.cueMs > sync.leads.seekMs, `seek time learned from the element: ${JSON.stringify(sync.leads)}`)
  t.same(room.sent, [], 'and no command')
})

t.test('a user seek in a playing room holds the media until the room\'s instant', async (t) => {
  const { room, media } = setup(t, { playing: true, positionMs: 10_000, refAt: Date.now() })
  await waitFor('playing', () => !media.paused)
  await sleep(100)
  let release = () => {}
  room.seek = (positionMs: number, leadMs?: number) => {
    room.sent.push(`seek ${Math.round(positionMs / 1000)}s${leadMs ? ' on an instant' : ''}`)
    return new Promise((resolve) => { release = () => resolve(room.state) })
  }
  media.userSeek(300_000)
  await waitFor('seek sent', () => room.sent.includes('seek 300s on an instant'))
  await sleep(100)
  t.ok(media.paused, 'holding the new position while the command travels')
  t.ok(Math.abs(media.currentTime - 300) < 0.2, `on the position the user chose (${media.currentTime} s)`)
  // The room applies it: the start is scheduled on the room's instant.
  room.set({ positionMs: 300_000, refAt: Date.now() + 150 })
  release()
  await waitFor('started', () => !media.paused)
  t.ok(Math.abs(media.currentTime * 1000 - (300_000 + Date.now() - room.state.refAt)) < 1000, 'from the chosen position')
  t.same(room.sent, ['seek 300s on an instant'])
})

/** A media whose next play() calls are rejected (with the DOMException name given) and leave it paused. */
class RefusingMedia extends SimulatedMedia {
  refusals: string[] = []
  override play () {
    const name = this.refusals.shift()
    if (name === undefined) return super.play()
    return Promise.reject(Object.assign(new Error(`play() ${name}`), { name }))
  }
}

t.test('a start cut short (AbortError) is retried; only an autoplay refusal waits for the user', async (t) => {
  for (const [name, retried] of [['AbortError', true], ['NotAllowedError', false]] as const) {
    const room = new FakeRoom({ playing: true, positionMs: 5_000, refAt: Date.now() })
    const media = new RefusingMedia({ seekLatencyMs: 10, startLatencyMs: 10 })
    media.refusals.push(name)
    const sync = attach(room as unknown as RoomClient, media, { tickMs: 20, isHidden: () => false })
    t.teardown(() => sync.detach())
    if (retried) await waitFor('playing after the aborted start', () => !media.paused)
    else {
      await sleep(500)
      t.ok(media.paused, 'autoplay refused: paused until the user acts, no retry loop')
      media.userPlay()
      await waitFor('the user\'s play starts it', () => !media.paused)
    }
    t.equal(media.refusals.length, 0, `${name}: the refusal happened`)
    t.same(room.sent, [], `${name}: no command (the room already plays)`)
    sync.detach()
  }
})
