/**
 * What `attach()` needs from a player: an HTMLMediaElement fits, and so does any object with
 * these members (a YouTube / HLS.js wrapper, a simulated media clock). Times are in seconds,
 * as on HTMLMediaElement. Without addEventListener only the room → media direction works.
 */
export interface MediaLike {
  currentTime: number
  readonly paused: boolean
  playbackRate: number
  play (): Promise<void> | void
  pause (): void
  readonly duration?: number
  readonly ended?: boolean
  readonly seeking?: boolean
  /** HTMLMediaElement.readyState; below 2 (HAVE_CURRENT_DATA) nothing is corrected. */
  readonly readyState?: number
  addEventListener? (type: string, listener: () => void): void
  removeEventListener? (type: string, listener: () => void): void
}

/** The media events attach() listens to. */
export const MEDIA_EVENTS = ['play', 'pause', 'seeking', 'seeked', 'ratechange', 'waiting', 'stalled', 'playing', 'canplay', 'ended'] as const
export type MediaEventName = typeof MEDIA_EVENTS[number]

/** Whether the page is hidden (browsers may pause media in a hidden tab: that is not the user). */
export function pageHidden (): boolean {
  const doc = (globalThis as { document?: { visibilityState?: string } }).document
  return doc?.visibilityState === 'hidden'
}
