// attach() and the media's `ended`, with a fake room: reported once while the room plays the item,
// never after attach()'s own seek to the end, never for a paused room.
import type { PlayerState } from '@watch-together/protocol'
import { ClockSync } from '@watch-together/sync-core'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { EndingMedia } from '../../sim/ending-media.js'
import { Emitter } from '../../src/emitter.js'
import { attach, type RoomClient, type RoomClientEvents } from '../../src/index.js'

const DURATION_MS = 10_000

/** The RoomClient members MediaSync uses; reports and commands are recorded, not sent. */
class FakeRoom extends Emitter<RoomClientEvents> {
  state: PlayerState
  sent: string[] = []
  clock = new ClockSync()
  constructor (state: Partial<PlayerState>) {
    super()
    this.state = { queue: ['a'], index: 0, itemId: 'a', playing: false, positionMs: 0, refAt: Date.now(), rate: 1, version: 1, leaderId: null, ...state }
  }

  now () { return Date.now() }
  serverNow () { return Date.now() }
  toLocal (serverAt: number) { return serverAt }
  private record (what: string) { this.sent.push(what); return Promise.resolve(this.state) }
  play () { return this.record('play') }
  pause () { return this.record('pause') }
  seek (positionMs: number) { return this.record(`seek ${Math.round(positionMs)}`) }
  setRate (rate: number) { return this.record(`rate ${rate}`) }
  reportEnded (itemId: string) { return this.record(`ended ${itemId}@${this.state.version}`) }
  reportBuffering () {}
  reportsPlaying = false
  reportPlaying (playing: boolean) { this.reportsPlaying = playing }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function setup (t: { teardown (fn: () => unknown): void }, state: Partial<PlayerState>) {
  const room = new FakeRoom(state)
  const media = new EndingMedia({ durationMs: DURATION_MS })
  const sync = attach(room as unknown as RoomClient, media, { tickMs: 20 })
  t.teardown(() => { sync.detach(); media.stop() })
  return { room, media }
}

t.test('playback reaching the end is reported once', async (t) => {
  const { room, media } = setup(t, { playing: true, positionMs: DURATION_MS - 400, refAt: Date.now() })
  await waitFor('the media ended', () => media.endedFired > 0)
  await sleep(100)
  t.same(room.sent, ['ended a@1'])
})

t.test('a late joiner landing on the end (its own seek) reports nothing', async (t) => {
  // The room plays past its end (nobody's report counted yet): attach() seeks the media to the end.
  const { room, media } = setup(t, { playing: true, positionMs: DURATION_MS + 2000, refAt: Date.now() })
  await waitFor('the media ended', () => media.endedFired > 0)
  await sleep(100)
  t.same(room.sent, [])
})

t.test('a paused room at the end reports nothing', async (t) => {
  const { room, media } = setup(t, { playing: false, positionMs: DURATION_MS, refAt: Date.now() })
  await waitFor('the media held at the end', () => Math.abs(media.currentTime * 1000 - DURATION_MS) < 1)
  await sleep(100)
  t.same(room.sent, [])
})
