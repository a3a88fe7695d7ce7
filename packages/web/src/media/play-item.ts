import type { Playback } from '@watch-together/protocol'
import { attachSource, type AttachedSource } from './attach-source.js'

/**
 * Plays catalog items on one element, one at a time: fetches the item's signed playback URLs
 * (`fetchPlayback`, e.g. GET /api/v1/films/:id/playback) and attaches them, dropping the previous
 * item's player. Signed URLs expire: the source asks for the item's playback again to renew them.
 */
export function itemPlayer (media: HTMLMediaElement, fetchPlayback: (itemId: string) => Promise<Playback>, onSource: (source: AttachedSource | null) => void = () => {}) {
  let current: { itemId: string, source: AttachedSource } | null = null
  let loading: string | null = null

  const play = async (itemId: string | undefined): Promise<void> => {
    if (!itemId) { clear(); return }
    if (current?.itemId === itemId || loading === itemId) return
    loading = itemId
    try {
      const playback = await fetchPlayback(itemId)
      if (loading !== itemId) return
      current?.source.destroy()
      current = null
      const source = await attachSource(media, playback, async () => await fetchPlayback(itemId))
      if (loading !== itemId) { source.destroy(); return }
      current = { itemId, source }
      onSource(source)
    } finally {
      if (loading === itemId) loading = null
    }
  }
  const clear = () => {
    loading = null
    current?.source.destroy()
    current = null
    onSource(null)
    media.removeAttribute('src')
    media.load()
  }
  return { play, clear, get source () { return current?.source ?? null } }
}
