export interface BackoffOptions {
  /** First retry delay (ms). */
  initialDelayMs?: number
  /** Longest delay between attempts (ms). */
  maxDelayMs?: number
  /** Growth per failed attempt. */
  factor?: number
  /** Random share of each delay (0..1): spreads a room's clients after a server restart. */
  jitter?: number
}

/** Exponential backoff with jitter; `reset()` after a connection that reached session.ready. */
export class Backoff {
  private attempt = 0
  private readonly opts: Required<BackoffOptions>

  constructor (opts: BackoffOptions = {}, private readonly random = Math.random) {
    this.opts = { initialDelayMs: 250, maxDelayMs: 15_000, factor: 2, jitter: 0.5, ...opts }
  }

  next (): number {
    const { initialDelayMs, maxDelayMs, factor, jitter } = this.opts
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** this.attempt++)
    return Math.round(base * (1 - jitter + jitter * this.random()))
  }

  reset (): void { this.attempt = 0 }
}
