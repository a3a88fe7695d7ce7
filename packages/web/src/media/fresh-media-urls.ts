import type { Playback } from '@watch-together/protocol'

/**
 * Keeps an item's signed media URLs usable for as long as it plays. The signature is one path
 * segment (`/media/v/<token>/…`, packages/media signed-urls.ts) that every playlist, segment,
 * subtitle and thumbnail URL of the item carries, and it expires (MEDIA_URL_TTL_SECONDS): a film
 * longer than that would stop at its next segment. So a new grant is fetched (GET …/playback, which
 * also renews the viewer cookie) a while before the old one runs out, and every request made after
 * that swaps the new token in. Nothing already loaded is touched: no glitch.
 */
export interface FreshMediaUrls {
  /** `url` with the current token (a media URL of this origin; anything else unchanged). */
  current: (url: string) => string
  /** Resolves once the current token is good for a while: refreshes first when it is near expiry. */
  fresh: () => Promise<void>
  /** Asks for a new grant now (a request was refused); true when one came. */
  renew: () => Promise<boolean>
  /** Called after each refresh (for URLs set once, like <track src>). */
  onRefresh: (fn: () => void) => void
  stop: () => void
}

const TOKEN_IN_PATH = /\/media\/v\/([^/]+)\//
/** Refresh this far before expiry: a third of the grant's life, at most five minutes. */
const refreshLead = (lifetimeMs: number) => Math.min(5 * 60_000, lifetimeMs / 3)
/** After a failed refresh (offline), try again after this. */
const RETRY_MS = 5_000

export function freshMediaUrls (playback: Playback, refetch: () => Promise<Playback>): FreshMediaUrls {
  let token = TOKEN_IN_PATH.exec(playback.hlsUrl ?? playback.thumbnailsUrl ?? '')?.[1] ?? null
  const listeners: Array<() => void> = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let refreshing: Promise<void> | null = null
  let stopped = false
  let refreshAt = 0

  // On this device's clock: the grant's life as the server counts it, from the moment it was asked
  // for (the server signed it after that, so this errs early: a slow answer on a busy device or
  // network must not eat the lead).
  const schedule = (p: Playback, askedAt: number, delayOnFailure?: number) => {
    const lifetime = p.expiresInSeconds * 1000
    refreshAt = delayOnFailure === undefined ? askedAt + lifetime - refreshLead(lifetime) : Date.now() + delayOnFailure
    clearTimeout(timer)
    if (!stopped) timer = setTimeout(() => { refresh().catch(() => {}) }, Math.max(0, refreshAt - Date.now()))
  }
  let last = playback
  const refresh = (): Promise<void> => {
    const askedAt = Date.now()
    refreshing ??= refetch().then((next) => {
      const renewed = TOKEN_IN_PATH.exec(next.hlsUrl ?? next.thumbnailsUrl ?? '')?.[1]
      if (renewed) token = renewed
      last = next
      schedule(next, askedAt)
      for (const fn of listeners) fn()
    }, () => {
      // Offline or signed out: keep the old token (it may still be good) and try again soon.
      schedule(last, askedAt, RETRY_MS)
    }).finally(() => { refreshing = null })
    return refreshing
  }
  if (token !== null) schedule(playback, Date.now())

  return {
    current: (url) => {
      if (token === null) return url
      const at = new URL(url, location.href)
      if (at.origin !== location.origin || !TOKEN_IN_PATH.test(at.pathname)) return url
      at.pathname = at.pathname.replace(TOKEN_IN_PATH, `/media/v/${token}/`)
      return at.href
    },
    fresh: async () => {
      if (token !== null && !stopped && Date.now() >= refreshAt) await refresh()
    },
    renew: async () => {
      if (token === null || stopped) return false
      const before = token
      await refresh()
      return token !== before
    },
    onRefresh: (fn) => { listeners.push(fn) },
    stop: () => {
      stopped = true
      clearTimeout(timer)
      listeners.length = 0
    }
  }
}
