/**
 * Clock-offset estimation, NTP style. A sample is four times: the client sends at t0
 * (client clock), the server receives at t1 and answers at t2 (server clock), the client
 * receives at t3 (client clock). Then
 *   offset = ((t1 − t0) + (t2 − t3)) / 2      (server clock − client clock)
 *   delay  = (t3 − t0) − (t2 − t1)            (round trip spent on the network)
 * and the true offset lies within ± delay / 2 of the estimate whatever the asymmetry of the
 * two directions. So the estimator keeps the recent sample with the lowest delay, and reports
 * its half round trip as the error bound.
 */
export interface ClockSample {
  t0: number
  t1: number
  t2: number
  t3: number
}

export interface ClockSyncOptions {
  /** How many recent samples to choose from. */
  window?: number
  /** Samples older than this (client ms) are forgotten: clocks drift apart slowly. */
  maxSampleAgeMs?: number
  /** Re-sync period once settled. */
  resyncIntervalMs?: number
  /** Sample period until the window is full once: more samples, a lower best round trip, sooner. */
  fastIntervalMs?: number
  /** Samples taken in a burst at start and after a reconnect. */
  burst?: number
  /** Assumed worst rate difference of the two clocks (ppm): an old sample's bound grows by age × this. */
  clockDriftPpm?: number
}

interface Measured {
  offset: number
  delay: number
  at: number
  epoch: number
}

export class ClockSync {
  private samples: Measured[] = []
  private readonly window: number
  private readonly maxSampleAgeMs: number
  private readonly resyncIntervalMs: number
  private readonly fastIntervalMs: number
  private total = 0
  private readonly burst: number
  private readonly driftPerMs: number
  private lastSampleAt = -Infinity
  private sinceReset = 0
  private epoch = 0

  constructor (opts: ClockSyncOptions = {}) {
    this.window = opts.window ?? 60
    this.maxSampleAgeMs = opts.maxSampleAgeMs ?? 5 * 60_000
    this.resyncIntervalMs = opts.resyncIntervalMs ?? 5_000
    this.fastIntervalMs = opts.fastIntervalMs ?? 1_000
    this.burst = opts.burst ?? 10
    this.driftPerMs = (opts.clockDriftPpm ?? 50) / 1e6
  }

  /** Adds a sample; ignores impossible ones (negative delay means a clock jumped mid-sample). */
  addSample (s: ClockSample): boolean {
    const delay = (s.t3 - s.t0) - (s.t2 - s.t1)
    if (!Number.isFinite(delay) || delay < 0 || s.t2 < s.t1) return false
    const sample: Measured = { offset: ((s.t1 - s.t0) + (s.t2 - s.t3)) / 2, delay, at: s.t3, epoch: this.epoch }
    this.adoptOrForget(sample)
    this.samples.push(sample)
    if (this.samples.length > this.window) this.samples.shift()
    this.lastSampleAt = s.t3
    this.sinceReset++
    this.total++
    return true
  }

  /**
   * The first sample after a reconnect decides what the older ones are worth. The true offset
   * lies within each sample's interval (offset ± bound): if the new one overlaps the old best,
   * the server's clock is the same (the usual case) and the old samples stay, low round trips
   * and all; if not, the connection reached a server with another clock and they are dropped.
   */
  private adoptOrForget (sample: Measured) {
    const old = this.samples.filter((m) => m.epoch !== sample.epoch)
    if (old.length === 0) return
    const best = this.pick(old, sample.at)!
    const gap = Math.abs(best.offset - sample.offset)
    if (gap <= this.bound(best, sample.at) + sample.delay / 2) {
      for (const m of old) m.epoch = sample.epoch
    } else {
      this.samples = this.samples.filter((m) => m.epoch === sample.epoch)
    }
  }

  /** The sample's error bound at `clientNow`: half its round trip, plus what the clocks may have drifted since. */
  private bound (m: Measured, clientNow?: number) {
    const age = clientNow === undefined ? 0 : Math.max(0, clientNow - m.at)
    return m.delay / 2 + age * this.driftPerMs
  }

  private pick (samples: Measured[], clientNow?: number): Measured | undefined {
    let best: Measured | undefined
    for (const m of samples) if (!best || this.bound(m, clientNow) < this.bound(best, clientNow)) best = m
    return best
  }

  private best (clientNow?: number): Measured | undefined {
    let fresh = clientNow === undefined
      ? this.samples
      : this.samples.filter((m) => clientNow - m.at <= this.maxSampleAgeMs)
    // After a reconnect, samples over the new path win as soon as there is one (older ones
    // that agree with it were adopted into the current epoch).
    const current = fresh.filter((m) => m.epoch === this.epoch)
    if (current.length > 0) fresh = current
    return this.pick(fresh, clientNow)
  }

  /** Server clock − client clock (ms), or null before the first sample. */
  offset (clientNow?: number): number | null {
    return this.best(clientNow)?.offset ?? null
  }

  /** Half the round trip of the chosen sample (plus possible clock drift since): the true offset is within ± this. */
  errorBound (clientNow?: number): number | null {
    const best = this.best(clientNow)
    return best ? this.bound(best, clientNow) : null
  }

  /** The lowest round trip among recent samples; used to schedule starts a little ahead. */
  roundTrip (clientNow?: number): number | null {
    return this.best(clientNow)?.delay ?? null
  }

  /** Server time now, from the client's clock. */
  serverNow (clientNow: number): number {
    return clientNow + (this.offset(clientNow) ?? 0)
  }

  /** Fast until the window has filled once, then the steady re-sync period. */
  private interval () {
    return this.total < this.window ? this.fastIntervalMs : this.resyncIntervalMs
  }

  /** Time (ms) until the next sample is due: 0 during a burst. */
  nextSampleIn (clientNow: number): number {
    if (this.sinceReset < this.burst) return 0
    return Math.max(0, this.lastSampleAt + this.interval() - clientNow)
  }

  /** Whether to take a sample now: a burst at start / after reset, then one per resync interval. */
  needsSample (clientNow: number): boolean {
    if (this.sinceReset < this.burst) return true
    return clientNow - this.lastSampleAt >= this.interval()
  }

  /**
   * After a reconnect the path (and so the delay) may differ: start a new burst. Old samples
   * stay only as a fallback until the first new one arrives.
   */
  reset (): void {
    this.sinceReset = 0
    this.epoch++
  }
}
