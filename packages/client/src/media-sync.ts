import type { PlayerState } from '@watch-together/protocol'
import { currentPosition, DEFAULT_DRIFT_OPTIONS, DriftController, MediaLatency } from '@watch-together/sync-core'
import { MEDIA_EVENTS, type MediaEventName, type MediaLike, pageHidden } from './media.js'
import { type AttachOptions, OWN_EVENT_WINDOW_MS, OwnChanges, type SyncStats } from './own-changes.js'
import type { RoomClient } from './room-client.js'

export type { AttachOptions, SyncStats } from './own-changes.js'

/** A seek this soon after a room change is following it, not correcting drift. */
const FOLLOW_WINDOW_MS = 2000

/** A start is measured this long after its instant (the frames move by then, even on a slow element)… */
const MEASURE_AFTER_START_MS = 150
/** … or this long after its `playing` event and instant, if sooner. */
const MEASURE_AFTER_PLAYING_MS = 30

/**
 * Keeps a media element on the room's timeline and turns the user's own actions into room
 * commands. Every change this code makes to the media is marked, and the event it causes is
 * ignored; buffering stalls and a hidden tab's pause are never commands.
 */
export class MediaSync {
  readonly stats: SyncStats = { followSeeks: 0, correctiveSeeks: 0, seeksInsideDeadZone: 0, rateChanges: 0, userCommands: 0, ignoredOwnEvents: 0 }
  readonly controller: DriftController
  readonly latency: MediaLatency
  private readonly opts: Required<Omit<AttachOptions, 'drift' | 'latency' | 'onItem' | 'debug'>> & Pick<AttachOptions, 'onItem' | 'debug'>
  private readonly deadZoneMs: number
  private readonly own: OwnChanges
  private readonly listeners: Array<[MediaEventName, () => void]> = []
  private timer: ReturnType<typeof setInterval> | undefined
  private startTimer: ReturnType<typeof setTimeout> | undefined
  private offState: () => void
  private buffering = false
  private itemId: string | null | undefined
  private itemLoading = false
  private setRate = 1
  /**
   * A local start planned to get onto the running timeline: hold still on `positionMs` (where the
   * room will be at server time `startAt`), then start on that instant, as for a scheduled play.
   */
  private cue: { startAt: number, positionMs: number } | null = null
  /** When the own or user seek in progress began (local ms), to learn how long seeks take. */
  private seekFrom: number | null = null
  /** A start that should have landed on an instant: measured once the frames move (local ms). */
  private measure: { at: number, lateMs: number, startLocal: number } | null = null
  private measureTimer: ReturnType<typeof setTimeout> | undefined
  private playRefused = false
  /** User commands on their way: the media shows the user's intent, so it is not corrected meanwhile. */
  private userPending = 0
  private roomChangedAt = -Infinity
  /** When this code last seeked the media to its very end (the `ended` that follows is its own), and the end reported. */
  private ownSeekToEndAt = -Infinity
  private endReported: string | null = null
  /** A stop of the frames not reported yet (it must hold for playingHoldMs first). */
  private stopTimer: ReturnType<typeof setTimeout> | undefined
  private detached = false

  constructor (readonly client: RoomClient, readonly media: MediaLike, opts: AttachOptions = {}) {
    this.controller = new DriftController(opts.drift)
    this.latency = new MediaLatency(opts.latency)
    this.deadZoneMs = opts.drift?.deadZoneMs ?? DEFAULT_DRIFT_OPTIONS.deadZoneMs
    this.opts = { tickMs: 100, leadMs: 250, userSeekMinMs: 250, playingHoldMs: 600, isHidden: pageHidden, ...opts }
    this.setRate = media.playbackRate
    this.own = new OwnChanges(() => client.now(), this.stats)
    for (const name of MEDIA_EVENTS) {
      const listener = () => this.onMediaEvent(name)
      media.addEventListener?.(name, listener)
      this.listeners.push([name, listener])
    }
    this.offState = client.on('state', (state, change) => {
      // A new room command supersedes any correction or cue in progress: follow it at once.
      if (change) this.controller.reset()
      this.cue = null
      this.measure = null
      this.roomChangedAt = this.client.now()
      this.follow(state)
    })
    this.timer = setInterval(() => { this.notePlaying(); this.tick() }, this.opts.tickMs)
    // Joining is following the room's latest change.
    this.roomChangedAt = client.now()
    if (client.state) this.follow(client.state)
    this.notePlaying()
  }

  /** Stops following the room; the player no longer counts as playing in it. */
  detach (): void {
    if (this.detached) return
    this.detached = true
    clearInterval(this.timer)
    clearTimeout(this.startTimer)
    clearTimeout(this.measureTimer)
    clearTimeout(this.stopTimer)
    this.offState()
    for (const [name, listener] of this.listeners) this.media.removeEventListener?.(name, listener)
    this.client.reportPlaying(false)
  }

  /** Whether the frames move: playing, not ended, not stalled (buffering members are counted apart). */
  private framesMove (): boolean {
    return !this.media.paused && !(this.media.ended ?? false) && !this.buffering && (this.media.readyState ?? 4) >= 3
  }

  /**
   * Tells the room whether this player plays (room.counters' "playing now"), checked on every media
   * event and tick. A start is told at once; a stop once it held for playingHoldMs, so the sync's own
   * brief stops (a cue: pause, seek, start on an instant) do not flicker the room's count. The client
   * deduplicates and tells it again after a reconnect.
   */
  private notePlaying (): void {
    if (this.detached) return
    if (this.framesMove()) {
      clearTimeout(this.stopTimer)
      this.stopTimer = undefined
      this.client.reportPlaying(true)
      return
    }
    if (this.stopTimer !== undefined || !this.client.reportsPlaying) return
    this.stopTimer = setTimeout(() => {
      this.stopTimer = undefined
      if (!this.detached && !this.framesMove()) this.client.reportPlaying(false)
    }, this.opts.playingHoldMs)
  }

  /** Starts the media meant to move from server time `startAt` on (play() goes out a start lead before). */
  private ownPlay (startAt: number, serverNow: number) {
    if (!this.media.paused) return
    this.own.mark('play')
    const lateMs = Math.max(0, serverNow - (startAt - this.latency.startLeadMs))
    const startLocal = this.client.now() + Math.max(0, startAt - serverNow)
    this.measureAt({ at: startLocal + MEASURE_AFTER_START_MS, lateMs, startLocal })
    const started = this.media.play()
    // Only the browser's autoplay rule (NotAllowedError) waits for the user's press. A start cut
    // short by a pause or a new source (AbortError) leaves the media paused, and the next tick
    // starts it again: taken as a refusal, it left a member paused while the room played on.
    if (started && typeof started.catch === 'function') {
      started.catch((err: unknown) => { if ((err as { name?: unknown } | null)?.name === 'NotAllowedError') this.playRefused = true })
    }
  }

  private ownPause () {
    if (this.media.paused) return
    this.own.mark('pause')
    this.media.pause()
  }

  /** Seeks (the media is paused: while playing, the sync cues instead of seeking on the run). */
  private ownSeek (positionMs: number, driftMs: number, why: string) {
    this.own.mark('seek')
    const now = this.client.now()
    const follow = now - this.roomChangedAt < FOLLOW_WINDOW_MS
    if (follow) this.stats.followSeeks++
    else {
      this.stats.correctiveSeeks++
      if (Math.abs(driftMs) < this.deadZoneMs) this.stats.seeksInsideDeadZone++
    }
    this.opts.debug?.(`${follow ? 'follow' : 'corrective'} seek (${why}): drift ${driftMs.toFixed(1)} ms`)
    this.seekFrom = now
    const target = Math.max(0, positionMs)
    if (target >= (this.media.duration ?? Infinity) * 1000 - 1) this.ownSeekToEndAt = now
    this.media.currentTime = target / 1000
  }

  private ownRate (rate: number) {
    if (Math.abs(this.media.playbackRate - rate) < 1e-6) return
    this.own.mark('rate')
    this.stats.rateChanges++
    this.setRate = rate
    this.media.playbackRate = rate
  }

  // ---- room → media ----
  private follow (state: PlayerState): void {
    if (state.itemId !== this.itemId) return this.changeItem(state.itemId)
    this.tick()
  }

  private changeItem (itemId: string | null): void {
    this.itemId = itemId
    const loading = this.opts.onItem?.(itemId)
    if (!loading || typeof loading.then !== 'function') return this.tick()
    this.itemLoading = true
    loading.then(() => { if (this.itemId === itemId) { this.itemLoading = false; this.tick() } },
      () => { this.itemLoading = false })
  }

  /** Where the room is now (ms), clamped to the media's length when known. */
  private ideal (state: PlayerState, serverNow: number) {
    const duration = this.media.duration
    return currentPosition(state, serverNow, Number.isFinite(duration) ? duration! * 1000 : null)
  }

  /** Compares the media with the room and corrects it; also called on every room change. */
  tick (): void {
    const state = this.client.state
    if (!state || this.itemLoading || this.buffering || this.userPending > 0) return
    if (state.itemId !== this.itemId) return this.changeItem(state.itemId)
    if ((this.media.readyState ?? 4) < 2 || this.media.seeking) return
    const serverNow = this.client.serverNow()
    const ideal = this.ideal(state, serverNow)
    const actual = this.media.currentTime * 1000
    const now = this.client.now()

    if (!state.playing) {
      // Paused: hold still on the room's position.
      this.cue = null
      this.ownPause()
      if (Math.abs(ideal - actual) >= this.deadZoneMs) this.ownSeek(ideal, ideal - actual, 'hold')
      return
    }
    // A start on an instant: the room's own (a play or seek scheduled ahead), or a cue of ours.
    const plan = this.cue ?? (serverNow < state.refAt ? { startAt: state.refAt, positionMs: state.positionMs } : null)
    if (plan !== null && this.media.paused) {
      if (this.opts.isHidden() || this.playRefused) return
      if (Math.abs(plan.positionMs - actual) >= this.deadZoneMs) {
        // Not on the start position yet: seek there, if the seek can still finish in time.
        if (plan.startAt - serverNow >= this.latency.cueMs) this.ownSeek(plan.positionMs, plan.positionMs - actual, 'to start')
        else this.cueStart(state, serverNow, plan.positionMs - actual)
        return
      }
      const startIn = plan.startAt - this.latency.startLeadMs - serverNow
      if (startIn > 0) return this.scheduleStart(plan.startAt - this.latency.startLeadMs)
      this.cue = null
      return this.ownPlay(plan.startAt, serverNow)
    }
    if (plan !== null && plan === this.cue) this.cue = null
    if (this.measure !== null && now < this.measure.at) return // a start is landing: measured, then corrected
    if (this.media.paused) {
      // The room runs, the media does not (a late start, a loaded item, a refused command).
      if (this.opts.isHidden() || this.playRefused) return
      // Held on a frame the room reaches soon, or only just passed (inside the dead zone): start
      // from it on that instant, without a seek; otherwise cue.
      const waitMs = (actual - ideal) / state.rate
      if (ideal - actual >= this.deadZoneMs || waitMs > this.latency.cueMs) return this.cueStart(state, serverNow, ideal - actual)
      this.cue = { startAt: serverNow + waitMs, positionMs: actual }
      return this.tick()
    }
    if (plan !== null) { // playing before the room's start instant: hold
      this.ownPause()
      if (this.media.paused) this.tick()
      return
    }
    this.learnStart(ideal - actual, state.rate)
    const action = this.controller.update({ idealMs: ideal, actualMs: actual, roomRate: state.rate, now, playing: true })
    if (action.kind === 'seek') this.cueStart(state, serverNow, ideal - actual)
    else if (action.kind === 'rate') this.ownRate(action.rate)
    else if (Math.abs(this.media.playbackRate - state.rate) > 1e-6 && Math.abs(this.media.playbackRate - this.setRate) < 1e-6) {
      this.ownRate(state.rate) // the room's own rate changed
    }
  }

  /**
   * Gets onto the running timeline: pause, seek to where the room will be once the seek (and
   * the start) can be done, and start on that instant. The landing then depends on the start
   * latency only; seeking on the run would land off by the seek's own (varying) latency.
   */
  private cueStart (state: PlayerState, serverNow: number, driftMs: number) {
    const startAt = serverNow + this.latency.cueMs
    this.cue = { startAt, positionMs: this.ideal(state, startAt) }
    this.ownPause()
    // A nudge of ours does not carry into the start (a rate the user just set is theirs to send).
    if (this.media.playbackRate !== state.rate && this.media.playbackRate === this.setRate) this.ownRate(state.rate)
    this.ownSeek(this.cue.positionMs, driftMs, 'cue')
  }

  private scheduleStart (serverAt: number) {
    clearTimeout(this.startTimer)
    const wait = Math.max(0, this.client.toLocal(serverAt) - this.client.now())
    this.startTimer = setTimeout(() => this.tick(), wait)
  }

  /** Measures the landing at m.at (then the controller takes over). */
  private measureAt (m: NonNullable<MediaSync['measure']>) {
    this.measure = m
    clearTimeout(this.measureTimer)
    this.measureTimer = setTimeout(() => this.tick(), Math.max(0, m.at - this.client.now()))
  }

  /** Once the frames of a start move, the drift left is the element's start latency not yet allowed for. */
  private learnStart (driftMs: number, rate: number) {
    const m = this.measure
    if (m === null) return
    this.measure = null
    this.controller.afterTransition()
    if (Math.abs(driftMs) < 500) this.latency.noteStart(driftMs, rate, m.lateMs)
  }

  /** The learned latencies (ms), for diagnostics. */
  get leads () { return { seekMs: this.latency.seekMs, startMs: this.latency.startLeadMs, cueMs: this.latency.cueMs } }

  // ---- media → room: only deliberate user actions become commands ----
  private onMediaEvent (name: MediaEventName) {
    this.handleMediaEvent(name)
    this.notePlaying()
  }

  private handleMediaEvent (name: MediaEventName) {
    switch (name) {
      case 'waiting':
      case 'stalled':
        if (!this.buffering && !this.media.paused) { this.buffering = true; this.client.reportBuffering(true) }
        return
      case 'playing':
      case 'canplay':
        // The frames move: the landing can be measured as soon as the start instant has passed too.
        if (name === 'playing' && this.measure !== null) {
          const m = this.measure
          this.measureAt({ ...m, at: Math.min(m.at, Math.max(this.client.now(), m.startLocal) + MEASURE_AFTER_PLAYING_MS) })
        }
        if (this.buffering) { this.buffering = false; this.client.reportBuffering(false); this.tick() }
        return
      case 'seeked':
        // The seek's time teaches the cue how long to wait; then the room's state is applied at once.
        if (this.seekFrom !== null) this.latency.noteSeek(this.client.now() - this.seekFrom)
        this.seekFrom = null
        return this.tick()
      case 'ended':
        return this.reportEnd()
      case 'play':
        if (this.own.consume('play')) return
        this.playRefused = false
        if (this.client.state && !this.client.state.playing) {
          // Hold the media until the room's start instant (it arrives with the new state).
          this.ownPause()
          this.user(() => this.client.play(this.opts.leadMs))
        }
        return
      case 'pause':
        if (this.own.consume('pause')) return
        // A hidden tab's pause, the end of the item or a stall are not the user's.
        if (this.opts.isHidden() || this.media.ended || this.buffering) return
        if (this.client.state?.playing) this.user(() => this.client.pause())
        return
      case 'seeking': {
        if (this.own.consume('seek')) return
        const state = this.client.state
        if (!state) return
        const positionMs = this.media.currentTime * 1000
        this.seekFrom = this.client.now()
        if (Math.abs(positionMs - this.ideal(state, this.client.serverNow())) < this.opts.userSeekMinMs) return
        if (!state.playing) return this.user(() => this.client.seek(positionMs))
        // While playing, the seek is a start on an instant, as a play is: the media holds the new
        // position, and everyone (the user included) starts from it on the room's instant.
        this.ownPause()
        this.user(() => this.client.seek(positionMs, this.opts.leadMs))
        return
      }
      case 'ratechange': {
        const rate = this.media.playbackRate
        // Own if it shows the rate this code set last (whatever order the events came in).
        if (Math.abs(rate - this.setRate) < 1e-6) { this.own.consume('rate'); return }
        this.setRate = rate
        if (this.client.state && Math.abs(rate - this.client.state.rate) > 1e-3) this.user(() => this.client.setRate(rate))
      }
    }
  }

  /**
   * The media played to its end: reported once per room state, only while the room plays this item,
   * never after this code's own seek to the end. The server checks it; a refusal changes nothing.
   */
  private reportEnd () {
    const state = this.client.state
    if (!state?.playing || !state.itemId || state.itemId !== this.itemId) return
    if (this.client.now() - this.ownSeekToEndAt < OWN_EVENT_WINDOW_MS) return
    const key = `${state.itemId}@${state.version}`
    if (this.endReported === key) return
    this.endReported = key
    this.client.reportEnded(state.itemId).catch(() => {})
  }

  /** Sends a user's command; if the room refuses it, the next tick puts the media back. */
  private user (send: () => Promise<unknown>) {
    this.stats.userCommands++
    this.userPending++
    send().catch(() => {}).finally(() => { this.userPending--; this.tick() })
  }
}

/** Keeps `media` in sync with the room; returns the MediaSync (call detach() to stop). */
export function attach (client: RoomClient, media: MediaLike, opts?: AttachOptions): MediaSync {
  return new MediaSync(client, media, opts)
}
