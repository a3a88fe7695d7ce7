/**
 * The drift controller: how a client keeps its media element on the room's timeline
 * without visible corrections. Drift = ideal position − shown position (ms; positive =
 * behind). Inside the dead zone nothing happens; moderate drift is absorbed by a small
 * playback-rate nudge (inaudible within a few percent); large drift gets one hard seek.
 * Hysteresis (start correcting at `deadZoneMs`, stop at `settleMs`) and cooldowns keep it
 * from oscillating: the peers' users complain of stutter and undone skips as much as of drift.
 */
export interface DriftOptions {
  /** |drift| below this is left alone. */
  deadZoneMs?: number
  /** A rate correction in progress stops once |drift| is below this (< deadZoneMs). */
  settleMs?: number
  /** |drift| above this is fixed with a seek instead of a rate change. */
  seekThresholdMs?: number
  /** Largest relative rate change, e.g. 0.05 = ±5 %. */
  maxRateDelta?: number
  /** The drift is corrected over about this long by a rate change (sets the nudge's size). */
  correctionWindowMs?: number
  /**
   * The same right after a landing (see afterTransition): the residual of a seek or start is known
   * to be real and is removed faster (still within maxRateDelta), so a command converges sooner.
   */
  landingWindowMs?: number
  /** No second seek within this time after one (the media needs time to settle). */
  seekCooldownMs?: number
  /** Media elements report seeking late; compensate a seek by this much ahead. */
  seekLeadMs?: number
}

export type DriftAction =
  | { kind: 'none' }
  | { kind: 'rate', rate: number }
  | { kind: 'seek', positionMs: number }

export interface DriftInput {
  /** Where the room says playback is now (ms). */
  idealMs: number
  /** Where the media element shows it (ms). */
  actualMs: number
  /** The room's rate (the base the nudge is applied to). */
  roomRate: number
  /** Local monotonic time (ms) of this observation. */
  now: number
  /** Whether the room is playing; while paused only a seek can fix a position. */
  playing: boolean
}

export const DEFAULT_DRIFT_OPTIONS: Required<DriftOptions> = {
  deadZoneMs: 12,
  settleMs: 5,
  seekThresholdMs: 500,
  maxRateDelta: 0.05,
  correctionWindowMs: 1000,
  landingWindowMs: 300,
  seekCooldownMs: 2000,
  seekLeadMs: 0
}

export class DriftController {
  private readonly opts: Required<DriftOptions>
  private correcting = false
  /** The rate of the correction in progress: held, not re-tuned every sample (each change is a visible event). */
  private nudgeRate = 1
  private nudgeSign = 0
  private lastSeekAt = -Infinity
  private landed = false

  constructor (opts: DriftOptions = {}) {
    this.opts = { ...DEFAULT_DRIFT_OPTIONS, ...opts }
    if (this.opts.settleMs >= this.opts.deadZoneMs) throw new Error('settleMs must be below deadZoneMs (hysteresis)')
    if (this.opts.seekThresholdMs <= this.opts.deadZoneMs) throw new Error('seekThresholdMs must exceed deadZoneMs')
  }

  /** Decides what to do now. Call on every sample (e.g. each animation frame or 250 ms). */
  update (input: DriftInput): DriftAction {
    const { deadZoneMs, settleMs, seekThresholdMs, maxRateDelta, correctionWindowMs, landingWindowMs, seekCooldownMs, seekLeadMs } = this.opts
    const drift = input.idealMs - input.actualMs
    const size = Math.abs(drift)
    const inCooldown = input.now - this.lastSeekAt < seekCooldownMs
    const landed = this.landed
    this.landed = false

    if (size >= seekThresholdMs || (!input.playing && size >= deadZoneMs)) {
      if (inCooldown) return this.hold(input)
      this.lastSeekAt = input.now
      this.correcting = false
      return { kind: 'seek', positionMs: input.idealMs + (input.playing ? seekLeadMs * input.roomRate : 0) }
    }
    if (!input.playing) return this.hold(input)

    // Right after a landing (see afterTransition) a nudge may start from settleMs.
    const limit = this.correcting || landed ? settleMs : deadZoneMs
    // Settled, or overshot (the drift changed sign): back to the room's rate.
    if (size < limit || (this.correcting && Math.sign(drift) !== this.nudgeSign)) {
      if (!this.correcting) return { kind: 'none' }
      this.correcting = false
      return { kind: 'rate', rate: input.roomRate }
    }
    // Proportional nudge: make up the drift over about one correction window, within the band.
    // It is chosen once per correction and only re-tuned when the drift has grown well past it.
    const window = landed && !this.correcting ? landingWindowMs : correctionWindowMs
    const delta = Math.max(-maxRateDelta, Math.min(maxRateDelta, drift / window))
    const held = this.nudgeRate / input.roomRate - 1
    if (!this.correcting || Math.abs(delta) > 1.5 * Math.abs(held) + 1e-9) {
      this.correcting = true
      this.nudgeSign = Math.sign(drift)
      this.nudgeRate = input.roomRate * (1 + delta)
    }
    return { kind: 'rate', rate: this.nudgeRate }
  }

  /** While a seek settles or the room is paused, run at the room's rate and wait. */
  private hold (input: DriftInput): DriftAction {
    if (!this.correcting) return { kind: 'none' }
    this.correcting = false
    return { kind: 'rate', rate: input.roomRate }
  }

  /**
   * The media just landed from a seek or a start. The dead zone is there so that measurement
   * noise never causes a correction; the drift left right after a landing is the element's own
   * latency, measured, not noise: for the next update only, a nudge (never a seek) starts at
   * settleMs. Steady drift still has to pass the dead zone.
   */
  afterTransition (): void {
    this.landed = true
  }

  /** Forget state, e.g. after the room's own seek or an item change. */
  reset (): void {
    this.correcting = false
    this.landed = false
    this.lastSeekAt = -Infinity
  }
}
