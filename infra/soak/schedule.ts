// The soak's fault schedule: a pure function of the seed, so `--seed N` replays a run's faults exactly
// (same targets, kinds, start offsets and durations; the machine's speed only moves when a restart ends).

export type FaultKind = 'kill' | 'stop' | 'freeze'
export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'stop', 'freeze']

export interface Fault {
  id: number
  /** Nominal offset from the start of the fault phase, ms (restarts take what they take, so runs drift). */
  at: number
  /**
   * What the runner waits before starting it: for a fault that opens a group, the quiet time after the
   * previous group healed; for an overlapping one, the time after its group's first fault started.
   */
  delayMs: number
  target: string
  kind: FaultKind
  /** How long the target stays down or frozen before it is restarted or thawed. */
  durationMs: number
  /** Started while another fault was still active. */
  overlaps: boolean
}

export interface ScheduleOptions {
  seed: number
  /** Faults start within this span (ms); the last heals after it. */
  spanMs: number
  targets: readonly string[]
  /** Quiet time between one group of faults healing and the next starting. */
  gapMs: [number, number]
  downMs: [number, number]
  /** Chance that a second fault starts while the first is active. */
  overlapChance: number
}

/** mulberry32: a small, well-known 32-bit PRNG; enough to make a schedule reproducible. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Faults one or two at a time. Every (target, kind) pair is used once, in a seeded order, before any
 * repeats, so a long enough run covers every server and every service instance with every kind.
 */
export function makeSchedule (o: ScheduleOptions): Fault[] {
  const rand = prng(o.seed)
  const between = ([lo, hi]: [number, number]) => Math.round(lo + rand() * (hi - lo))
  let deck: Array<[string, FaultKind]> = []
  const draw = (avoid?: string): [string, FaultKind] => {
    if (deck.length === 0) {
      deck = o.targets.flatMap((t) => FAULT_KINDS.map((k) => [t, k] as [string, FaultKind]))
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1))
        ;[deck[i], deck[j]] = [deck[j]!, deck[i]!]
      }
    }
    const i = deck.findIndex(([t]) => t !== avoid)
    if (i >= 0) return deck.splice(i, 1)[0]!
    // Only the first fault's target is left in the deck: the second takes any other pair.
    const others = o.targets.filter((t) => t !== avoid)
    return [others[Math.floor(rand() * others.length)]!, FAULT_KINDS[Math.floor(rand() * FAULT_KINDS.length)]!]
  }
  const faults: Fault[] = []
  let t = between(o.gapMs)
  let gap = t
  while (t < o.spanMs) {
    const [target, kind] = draw()
    const first: Fault = { id: faults.length + 1, at: t, delayMs: gap, target, kind, durationMs: between(o.downMs), overlaps: false }
    faults.push(first)
    let end = first.at + first.durationMs
    if (rand() < o.overlapChance) {
      const [target2, kind2] = draw(target)
      const delay = Math.round(rand() * first.durationMs)
      const second: Fault = { id: faults.length + 1, at: first.at + delay, delayMs: delay, target: target2, kind: kind2, durationMs: between(o.downMs), overlaps: true }
      faults.push(second)
      end = Math.max(end, second.at + second.durationMs)
    }
    gap = between(o.gapMs)
    t = end + gap
  }
  return faults
}

/** A short fingerprint of a schedule, printed with the seed so two runs can be seen to match. */
export function fingerprint (faults: Fault[]): string {
  let h = 2166136261
  for (const ch of JSON.stringify(faults)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  return h.toString(16).padStart(8, '0')
}
