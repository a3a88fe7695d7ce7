/**
 * The member's own subtitle and audio choice, remembered in this browser (never sent to the room:
 * each member hears and reads what they like while the picture stays in sync). Stored by
 * language, so a choice made on one film carries to the next film that has that language.
 */
export interface TrackChoice {
  /** Language of the audio track last chosen, or null for the item's default. */
  audio: string | null
  /** Language of the subtitles last chosen, 'off' for none, or null for never chosen (off). */
  subtitles: string | null
}

const KEY = 'wt.media.tracks'

export function loadChoice (storage: Pick<Storage, 'getItem'> = localStorage): TrackChoice {
  try {
    const raw = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<TrackChoice>
    return {
      audio: typeof raw.audio === 'string' ? raw.audio : null,
      subtitles: typeof raw.subtitles === 'string' ? raw.subtitles : null
    }
  } catch {
    return { audio: null, subtitles: null }
  }
}

export function saveChoice (change: Partial<TrackChoice>, storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage) {
  try {
    storage.setItem(KEY, JSON.stringify({ ...loadChoice(storage), ...change }))
  } catch {
    // Storage full or refused (private mode): the choice holds for this page only.
  }
}

/** The first candidate whose language matches the remembered one (`eng` matches `en`), else undefined. */
export function pickByLanguage<T extends { language: string | null }> (candidates: T[], language: string | null): T | undefined {
  if (!language) return undefined
  const want = language.toLowerCase()
  return candidates.find((c) => {
    const have = c.language?.toLowerCase()
    return have !== undefined && (have === want || have.slice(0, 2) === want.slice(0, 2))
  })
}
