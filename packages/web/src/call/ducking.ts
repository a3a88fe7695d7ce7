/**
 * Lowers the film while someone in the call speaks, and puts it back when they stop. Only the
 * film's volume changes: never its time, rate or play state (the room's sync owns those).
 */
export interface Ducking {
  /** Someone other than me speaks (true) or nobody does (false). */
  speaking (anyone: boolean): void
  /** The film's volume while ducked, as a share of the listener's own (0 … 1; 1 turns ducking off). */
  setLevel (level: number): void
  readonly level: number
  stop (): void
}

const KEY = 'wt.call.duckLevel'
export const DEFAULT_DUCK_LEVEL = 0.3

export function savedDuckLevel (): number {
  const saved = Number(globalThis.localStorage?.getItem(KEY) ?? NaN)
  return Number.isFinite(saved) && saved >= 0 && saved <= 1 ? saved : DEFAULT_DUCK_LEVEL
}

/**
 * `releaseMs`: how long after the last word the film comes back up (short pauses between words
 * must not pump the volume).
 */
export function createDucking (film: HTMLMediaElement, opts: { level?: number, releaseMs?: number } = {}): Ducking {
  let level = opts.level ?? savedDuckLevel()
  const releaseMs = opts.releaseMs ?? 600
  /** The listener's own volume, kept while the film is lowered. */
  let own: number | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  // The listener moving the volume while ducked sets their own level: remember it, stay lowered.
  const onVolume = () => {
    if (own === null) return
    const expected = own * level
    if (Math.abs(film.volume - expected) > 0.01) own = Math.min(1, film.volume / Math.max(level, 0.01))
  }
  film.addEventListener('volumechange', onVolume)
  const duck = () => {
    if (own !== null || level >= 1) return
    own = film.volume
    film.volume = own * level
    film.dataset.ducked = 'true'
  }
  const release = () => {
    if (own === null) return
    const back = own
    own = null
    film.volume = back
    delete film.dataset.ducked
  }
  return {
    speaking (anyone) {
      clearTimeout(timer)
      if (anyone) duck()
      else timer = setTimeout(release, releaseMs)
    },
    setLevel (next) {
      level = Math.min(1, Math.max(0, next))
      globalThis.localStorage?.setItem(KEY, String(level))
      if (own !== null) {
        if (level >= 1) release()
        else film.volume = own * level
      }
    },
    get level () { return level },
    stop () {
      clearTimeout(timer)
      release()
      film.removeEventListener('volumechange', onVolume)
    }
  }
}
