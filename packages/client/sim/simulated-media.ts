import type { MediaEventName, MediaLike } from '../src/media.js'

/** Wall-clock time with sub-millisecond precision (what the viewer would see and hear). */
export const trueNow = () => performance.timeOrigin + performance.now()

export interface SimulatedMediaOptions {
  /** The media clock's rate error (parts per million) against true time: audio clocks are not exact. */
  skewPpm?: number
  /** Time from play() to frames moving (ms). */
  startLatencyMs?: number
  /** Time a seek takes (ms); the position holds on the target meanwhile. */
  seekLatencyMs?: number
  /**
   * Each seek and start takes its latency × (1 ± this), drawn anew: a real element's seek time
   * depends on the distance to the previous key frame and on what is buffered, so it is never
   * quite the same twice (0 = always the same).
   */
  latencyJitter?: number
  random?: () => number
  durationMs?: number
  clock?: () => number
}

/**
 * A media element without pixels: a media clock that behaves like HTMLMediaElement where sync
 * cares (paused flips at once and events fire later, as queued tasks; play and seek take time;
 * the clock runs slightly off true time). Its `user*` methods act as a viewer would.
 */
export class SimulatedMedia implements MediaLike {
  readyState = 4
  ended = false
  seeking = false
  private _paused = true
  private _rate = 1
  private anchorMs = 0
  private anchorAt: number
  private movingFrom: number
  private stallUntil = 0
  private seekTimer: ReturnType<typeof setTimeout> | undefined
  private readonly listeners = new Map<string, Set<() => void>>()
  readonly log: MediaEventName[] = []
  private readonly opts: Required<SimulatedMediaOptions>

  constructor (opts: SimulatedMediaOptions = {}) {
    this.opts = { skewPpm: 0, startLatencyMs: 0, seekLatencyMs: 0, latencyJitter: 0, random: Math.random, durationMs: 4 * 3_600_000, clock: trueNow, ...opts }
    this.anchorAt = this.opts.clock()
    this.movingFrom = this.anchorAt
  }

  get duration () { return this.opts.durationMs / 1000 }
  get paused () { return this._paused }

  /** Position (ms) now: frames move only while playing, after start / seek latency and outside a stall. */
  positionMs (at = this.opts.clock()): number {
    if (this._paused) return this.anchorMs
    const from = Math.max(this.anchorAt, this.movingFrom)
    const moving = Math.max(0, at - from - Math.max(0, Math.min(at, this.stallUntil) - from))
    return Math.min(this.opts.durationMs, this.anchorMs + moving * this._rate * (1 + this.opts.skewPpm / 1e6))
  }

  get currentTime () { return this.positionMs() / 1000 }
  set currentTime (seconds: number) {
    const now = this.opts.clock()
    this.anchorMs = Math.max(0, Math.min(this.opts.durationMs, seconds * 1000))
    this.anchorAt = now
    const latency = this.draw(this.opts.seekLatencyMs)
    this.movingFrom = now + latency
    this.seeking = true
    this.fire('seeking')
    clearTimeout(this.seekTimer) // a newer seek replaces one in progress (one seeked event)
    this.seekTimer = setTimeout(() => { this.seeking = false; this.fire('seeked') }, latency)
  }

  get playbackRate () { return this._rate }
  set playbackRate (rate: number) {
    if (rate === this._rate) return // as on HTMLMediaElement: no change, no event
    this.rebase()
    this._rate = rate
    this.fire('ratechange')
  }

  play () {
    if (!this._paused) return Promise.resolve()
    const now = this.opts.clock()
    this._paused = false
    this.anchorAt = now
    const latency = this.draw(this.opts.startLatencyMs)
    this.movingFrom = Math.max(this.movingFrom, now + latency)
    this.fire('play')
    setTimeout(() => this.fire('playing'), latency)
    return Promise.resolve()
  }

  pause () {
    if (this._paused) return
    this.rebase()
    this._paused = true
    this.fire('pause')
  }

  /** Loads another source: back to 0, paused, no data until `loadMs` has passed (as a src change does). */
  load (loadMs: number): Promise<void> {
    this._paused = true
    this.anchorMs = 0
    this.anchorAt = this.opts.clock()
    this.readyState = 0
    return new Promise((resolve) => setTimeout(() => { this.readyState = 4; resolve() }, loadMs))
  }

  // ---- what a viewer or the browser does ----
  userPlay () { this.play().catch(() => {}) }
  userPause () { this.pause() }
  userSeek (positionMs: number) { this.currentTime = positionMs / 1000 }
  userRate (rate: number) { this.playbackRate = rate }
  /** A buffering stall: frames stop for `ms`, with waiting … playing events. */
  stall (ms: number) {
    this.rebase()
    this.stallUntil = this.opts.clock() + ms
    this.fire('waiting')
    setTimeout(() => this.fire('playing'), ms)
  }

  addEventListener (type: string, listener: () => void) {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, set = new Set())
    set.add(listener)
  }

  removeEventListener (type: string, listener: () => void) { this.listeners.get(type)?.delete(listener) }

  private draw (latencyMs: number) {
    return latencyMs * (1 + this.opts.latencyJitter * (2 * this.opts.random() - 1))
  }

  /** Fixes the position so far as the new anchor (before a rate or state change). */
  private rebase () {
    const now = this.opts.clock()
    this.anchorMs = this.positionMs(now)
    this.anchorAt = now
    this.movingFrom = Math.max(this.movingFrom, now)
    if (this.stallUntil > now) { this.movingFrom = this.stallUntil; this.stallUntil = 0 }
  }

  /** Media events are queued tasks, never synchronous: that is what makes own-change marking necessary. */
  private fire (name: MediaEventName) {
    setTimeout(() => {
      this.log.push(name)
      for (const listener of [...this.listeners.get(name) ?? []]) listener()
    }, 0)
  }
}
