import type { PlayerState } from '@watch-together/protocol'
import { currentPosition, DEFAULT_DRIFT_OPTIONS, DriftController, type DriftOptions } from '@watch-together/sync-core'
import { MEDIA_EVENTS, type MediaEventName, type MediaLike, pageHidden } from './media.js'
import type { RoomClient } from './room-client.js'

export interface AttachOptions {
  drift?: DriftOptions
  /** How often the media is compared with the room (ms). */
  tickMs?: number
  /**
   * Lead time (ms) of the user's play: the local media waits for it too, so everyone (the user
   * included) starts on one instant. It should cover the others' one-way latency.
   */
  leadMs?: number
  /** A user seek closer than this to the room's position is not sent (ms). */
  userSeekMinMs?: number
  /** Whether the page is hidden; defaults to document.visibilityState. */
  isHidden?: () => boolean
  /** Called when the room moves to another item (load it); sync resumes when it resolves. */
  onItem?: (itemId: string | null) => void | Promise<void>
  /** Receives a line for every correction (diagnostics). */
  debug?: (line: string) => void
}

/** Counters the harness and apps can read: how often the media was corrected. */
export interface SyncStats {
  /** Seeks that follow a room change (its command, a join, a reconnect). */
  followSeeks: number
  /** Seeks the drift controller made on its own, away from any room change. */
  correctiveSeeks: number
  /** Corrective seeks decided on a drift inside the dead zone (must stay 0). */
  seeksInsideDeadZone: number
  rateChanges: number
  userCommands: number
  ignoredOwnEvents: number
}

/** A seek this soon after a room change is following it, not correcting drift. */
const FOLLOW_WINDOW_MS = 2000

/** How long an own change may take to produce its media event before we stop expecting it. */
const OWN_EVENT_WINDOW_MS = 3000

/**
 * Keeps a media element on the room's timeline and turns the user's own actions into room
 * commands. Every change this code makes to the media is marked, and the event it causes is
 * ignored; buffering stalls and a hidden tab's pause are never commands.
 */
export class MediaSync {
  readonly stats: SyncStats = { followSeeks: 0, correctiveSeeks: 0, seeksInsideDeadZone: 0, rateChanges: 0, userCommands: 0, ignoredOwnEvents: 0 }
  readonly controller: DriftController
  private readonly opts: Required<Omit<AttachOptions, 'drift' | 'onItem' | 'debug'>> & Pick<AttachOptions, 'onItem' | 'debug'>
  private readonly deadZoneMs: number
  private readonly own: Record<'play' | 'pause' | 'seek' | 'rate', number[]> = { play: [], pause: [], seek: [], rate: [] }
  private readonly listeners: Array<[MediaEventName, () => void]> = []
  private timer: ReturnType<typeof setInterval> | undefined
  private startTimer: ReturnType<typeof setTimeout> | undefined
  private offState: () => void
  private buffering = false
  private itemId: string | null | undefined
  private itemLoading = false
  private setRate = 1
  /** Learned seek latency (ms): an element that takes time to seek lands behind; aim ahead by this. */
  private seekLeadMs = 0
  /** Learned start latency (ms): play() is called this much before a scheduled start. */
  private startLeadMs = 0
  private measure: { kind: 'seek' | 'start', at: number } | null = null
  /** User commands on their way: the media shows the user's intent, so it is not corrected meanwhile. */
  private userPending = 0
  private roomChangedAt = -Infinity
  /** When this code last seeked the media to its very end (the `ended` that follows is its own), and the end reported. */
  private ownSeekToEndAt = -Infinity
  private endReported: string | null = null

  constructor (readonly client: RoomClient, readonly media: MediaLike, opts: AttachOptions = {}) {
    this.controller = new DriftController(opts.drift)
    this.deadZoneMs = opts.drift?.deadZoneMs ?? DEFAULT_DRIFT_OPTIONS.deadZoneMs
    this.opts = { tickMs: 100, leadMs: 250, userSeekMinMs: 250, isHidden: pageHidden, ...opts }
    this.setRate = media.playbackRate
    for (const name of MEDIA_EVENTS) {
      const listener = () => this.onMediaEvent(name)
      media.addEventListener?.(name, listener)
      this.listeners.push([name, listener])
    }
    this.offState = client.on('state', (state, change) => {
      // A new room command supersedes any correction in progress: follow it at once.
      if (change) this.controller.reset()
      this.roomChangedAt = this.client.now()
      this.follow(state)
    })
    this.timer = setInterval(() => this.tick(), this.opts.tickMs)
    if (client.state) this.follow(client.state)
  }

  detach (): void {
    clearInterval(this.timer)
    clearTimeout(this.startTimer)
    this.offState()
    for (const [name, listener] of this.listeners) this.media.removeEventListener?.(name, listener)
  }

  // ---- own changes: marked so the events they cause are not taken for the user's ----
  private mark (kind: keyof MediaSync['own']) {
    this.own[kind].push(this.client.now() + OWN_EVENT_WINDOW_MS)
  }

  private consumeOwn (kind: keyof MediaSync['own']): boolean {
    const now = this.client.now()
    const marks = this.own[kind].filter((until) => until >= now)
    this.own[kind] = marks
    if (marks.length === 0) return false
    marks.shift()
    this.stats.ignoredOwnEvents++
    return true
  }

  private ownPlay () {
    if (!this.media.paused) return
    this.mark('play')
    this.measure = { kind: 'start', at: this.client.now() + 300 }
    const started = this.media.play()
    if (started && typeof started.catch === 'function') started.catch(() => {}) // autoplay refused: the user must press play
  }

  private ownPause () {
    if (this.media.paused) return
    this.mark('pause')
    this.media.pause()
  }

  private ownSeek (positionMs: number, playing: boolean, driftMs: number, why: string) {
    this.mark('seek')
    const now = this.client.now()
    const follow = now - this.roomChangedAt < FOLLOW_WINDOW_MS
    if (follow) this.stats.followSeeks++
    else {
      this.stats.correctiveSeeks++
      if (Math.abs(driftMs) < this.deadZoneMs) this.stats.seeksInsideDeadZone++
    }
    this.opts.debug?.(`${follow ? 'follow' : 'corrective'} seek (${why}): drift ${driftMs.toFixed(1)} ms`)
    const rate = this.client.state?.rate ?? 1
    const target = Math.max(0, positionMs + (playing ? this.seekLeadMs * rate : 0))
    if (target >= (this.media.duration ?? Infinity) * 1000 - 1) this.ownSeekToEndAt = now
    this.media.currentTime = target / 1000
    this.measure = playing ? { kind: 'seek', at: now + 300 } : null
  }

  private ownRate (rate: number) {
    if (Math.abs(this.media.playbackRate - rate) < 1e-6) return
    this.mark('rate')
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
    const startsAt = state.playing && serverNow < state.refAt ? state.refAt : null

    // A start scheduled ahead: play() goes out early by the element's learned start latency.
    const startIn = startsAt !== null ? startsAt - serverNow - this.startLeadMs : 0
    if (!state.playing || startIn > 0) {
      // Paused, or a start still ahead: hold still on the position, and start on the instant.
      this.ownPause()
      if (Math.abs(ideal - actual) >= this.deadZoneMs) this.ownSeek(ideal, false, ideal - actual, 'hold')
      if (startsAt !== null) this.scheduleStart(startsAt - this.startLeadMs)
      return
    }
    if (this.media.paused) {
      if (this.opts.isHidden()) return
      const target = startsAt !== null ? ideal : ideal + this.startLeadMs * state.rate
      if (Math.abs(target - actual) >= this.deadZoneMs) this.ownSeek(target, false, target - actual, 'before start')
      this.ownPlay()
      return
    }
    if (startsAt !== null) return // started early on purpose: the room's clock catches up
    this.learnLeads(now, ideal - actual)
    const action = this.controller.update({ idealMs: ideal, actualMs: actual, roomRate: state.rate, now, playing: true })
    if (action.kind === 'seek') this.ownSeek(action.positionMs, true, ideal - actual, 'controller')
    else if (action.kind === 'rate') this.ownRate(action.rate)
    else if (Math.abs(this.media.playbackRate - state.rate) > 1e-6 && Math.abs(this.media.playbackRate - this.setRate) < 1e-6) {
      this.ownRate(state.rate) // the room's own rate changed
    }
  }

  private scheduleStart (serverAt: number) {
    clearTimeout(this.startTimer)
    const wait = Math.max(0, this.client.toLocal(serverAt) - this.client.now())
    this.startTimer = setTimeout(() => this.tick(), wait)
  }

  /**
   * Shortly after an own seek or start while playing, the drift left is the element's own
   * latency (seeking, starting the decoder): aim ahead by it next time (a smoothed estimate).
   */
  private learnLeads (now: number, driftMs: number) {
    const m = this.measure
    if (m === null || now < m.at) return
    this.measure = null
    this.controller.afterTransition()
    if (Math.abs(driftMs) >= 500) return
    const rate = this.client.state?.rate ?? 1
    const learn = (lead: number) => Math.max(0, Math.min(1000, lead + 0.7 * driftMs / rate))
    if (m.kind === 'seek') this.seekLeadMs = learn(this.seekLeadMs)
    else this.startLeadMs = learn(this.startLeadMs)
  }

  /** The learned latencies (ms), for diagnostics. */
  get leads () { return { seekMs: this.seekLeadMs, startMs: this.startLeadMs } }

  // ---- media → room: only deliberate user actions become commands ----
  private onMediaEvent (name: MediaEventName) {
    switch (name) {
      case 'waiting':
      case 'stalled':
        if (!this.buffering && !this.media.paused) { this.buffering = true; this.client.reportBuffering(true) }
        return
      case 'playing':
      case 'canplay':
        if (this.buffering) { this.buffering = false; this.client.reportBuffering(false); this.tick() }
        return
      case 'seeked':
        return
      case 'ended':
        return this.reportEnd()
      case 'play':
        if (this.consumeOwn('play')) return
        if (this.client.state && !this.client.state.playing) {
          // Hold the media until the room's start instant (it arrives with the new state).
          this.ownPause()
          this.user(() => this.client.play(this.opts.leadMs))
        }
        return
      case 'pause':
        if (this.consumeOwn('pause')) return
        // A hidden tab's pause, the end of the item or a stall are not the user's.
        if (this.opts.isHidden() || this.media.ended || this.buffering) return
        if (this.client.state?.playing) this.user(() => this.client.pause())
        return
      case 'seeking': {
        if (this.consumeOwn('seek')) return
        const state = this.client.state
        if (!state) return
        const positionMs = this.media.currentTime * 1000
        if (Math.abs(positionMs - this.ideal(state, this.client.serverNow())) < this.opts.userSeekMinMs) return
        // While playing, the media moves on until the server applies the seek: aim where it will be then.
        const ahead = state.playing ? (this.client.clock.roundTrip(this.client.now()) ?? 0) / 2 * state.rate : 0
        this.user(() => this.client.seek(positionMs + ahead))
        return
      }
      case 'ratechange': {
        const rate = this.media.playbackRate
        // Own if it shows the rate this code set last (whatever order the events came in).
        if (Math.abs(rate - this.setRate) < 1e-6) { this.consumeOwn('rate'); return }
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
