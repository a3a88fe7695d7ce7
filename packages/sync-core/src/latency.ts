/**
 * What a media element's seeks and starts take, learned from the element itself, with priors
 * for before the first measurement. A client uses it to get onto a running timeline precisely:
 * it "cues" — pauses, seeks to where the room will be a little later, and starts on that instant
 * — so the landing depends on the start latency (small and steady) rather than on the seek
 * latency (larger, and different for every seek: key-frame distance, what is buffered).
 */
export interface LatencyOptions {
  /** Seek time (ms) assumed until one is measured. */
  seekPriorMs?: number
  /** Start time (ms, play() to frames moving) assumed until one is measured. */
  startPriorMs?: number
  /** Recent seek times kept: a cue waits for the slowest of them. */
  window?: number
  /** Added to that slowest recent seek when cueing (ms). */
  cueMarginMs?: number
  /** Share of a measured start residual taken into the start estimate (smoothing). */
  startGain?: number
}

export const DEFAULT_LATENCY_OPTIONS: Required<LatencyOptions> = {
  seekPriorMs: 100,
  startPriorMs: 20,
  window: 5,
  cueMarginMs: 30,
  startGain: 0.7
}

/** Seek and start latencies can be long, never absurd: a measurement past this is a stall, not a latency. */
const MAX_LATENCY_MS = 2000

export class MediaLatency {
  private readonly opts: Required<LatencyOptions>
  private readonly seeks: number[] = []
  private start: number
  private startMeasured = false

  constructor (opts: LatencyOptions = {}) {
    this.opts = { ...DEFAULT_LATENCY_OPTIONS, ...opts }
    this.start = this.opts.startPriorMs
  }

  /** A seek took `ms` (from setting currentTime to `seeked`). */
  noteSeek (ms: number): void {
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_LATENCY_MS) return
    this.seeks.push(ms)
    if (this.seeks.length > this.opts.window) this.seeks.shift()
  }

  /**
   * Shortly after a start that was meant to land on an instant, the media is `residualMs` behind
   * (negative: ahead) of the room, `lateMs` of which came from play() being called late: the rest
   * is the element's start latency not yet allowed for.
   */
  noteStart (residualMs: number, rate: number, lateMs = 0): void {
    const error = residualMs / (rate || 1) - lateMs
    if (!Number.isFinite(error) || Math.abs(error) > MAX_LATENCY_MS) return
    // The first measurement replaces the prior; later ones are smoothed (one start is noisy).
    const gain = this.startMeasured ? this.opts.startGain : 1
    this.start = Math.max(0, Math.min(MAX_LATENCY_MS, this.start + gain * error))
    this.startMeasured = true
  }

  /** play() goes out this long (ms) before the instant the frames should move. */
  get startLeadMs (): number { return this.start }

  /** A typical seek (ms): the mean of the recent ones, or the prior. */
  get seekMs (): number {
    return this.seeks.length ? this.seeks.reduce((a, b) => a + b, 0) / this.seeks.length : this.opts.seekPriorMs
  }

  /**
   * How far ahead (ms) to cue: the seek must be done before play() goes out, start lead before
   * the instant; the slowest recent seek plus a margin is waited for.
   */
  get cueMs (): number {
    const seek = this.seeks.length ? Math.max(...this.seeks) : this.opts.seekPriorMs
    return seek + this.start + this.opts.cueMarginMs
  }
}
