import type { AudioTrackInfo, Playback, SubtitleTrack } from '@watch-together/protocol'
import type Hls from 'hls.js'
import { freshMediaUrls } from './fresh-media-urls.js'
import { loadChoice, pickByLanguage, saveChoice } from './track-choice.js'

/** How the element plays: hls.js over Media Source Extensions, the browser's own HLS, or a plain file. */
export type Engine = 'hls.js' | 'native-hls' | 'file'

export interface AudioOption extends AudioTrackInfo { active: boolean }
export interface SubtitleOption extends SubtitleTrack { active: boolean }

/** An item attached to a <video>/<audio> element, with this member's track choices. */
export interface AttachedSource {
  engine: Engine
  audioOptions: () => AudioOption[]
  /** Switches this member's audio (never the room's). */
  setAudio: (id: string) => void
  subtitleOptions: () => SubtitleOption[]
  /** Shows one subtitle track (or none with null) for this member only. */
  setSubtitles: (id: string | null) => void
  /** Called when the track lists or the active tracks change (an HLS manifest arrived, a choice). */
  onTracksChanged: (fn: () => void) => void
  /** The WebVTT index of the item's seek-preview sprite (seek-thumbnails.ts), if it has one. */
  thumbnailsUrl: string | null
  /** `url` (a media URL of this item, e.g. the thumbnail sprite) signed with the current token. */
  mediaUrl: (url: string) => string
  destroy: () => void
}

type HlsConstructor = typeof Hls

/**
 * Points `media` at an item: HLS through hls.js where Media Source Extensions exist (Chromium,
 * Firefox), else the browser's own HLS (Safari, iOS), else the progressive file. Subtitles are
 * WebVTT files added as <track> elements, so they work the same on all three paths. Resolves once
 * the element knows its duration (the sync engine needs it) or fails to load. `refetch` asks for
 * the item's playback again: signed URLs expire, and hls.js requests (segments, playlists of a
 * rendition or an audio track first needed an hour in) and subtitles not yet loaded are made with a
 * renewed token (fresh-media-urls.ts). The browser's own HLS cannot be steered so; there a film
 * longer than MEDIA_URL_TTL_SECONDS stops when its grant runs out.
 */
export async function attachSource (media: HTMLMediaElement, playback: Playback, refetch: () => Promise<Playback> = async () => playback,
  loadHls: () => Promise<HlsConstructor> = defaultLoadHls): Promise<AttachedSource> {
  const urls = freshMediaUrls(playback, refetch)
  const listeners: Array<() => void> = []
  const changed = () => { for (const fn of listeners) fn() }
  const choice = loadChoice()
  let hls: Hls | null = null
  let engine: Engine = 'file'

  for (const old of Array.from(media.querySelectorAll('track[data-wt]'))) old.remove()
  const trackElements = playback.subtitles.map((s) => {
    const el = document.createElement('track')
    el.kind = 'subtitles'
    el.label = s.label
    if (s.language) el.srclang = s.language
    el.src = s.url
    el.dataset.wt = s.id
    media.append(el)
    return el
  })
  // A track the member has not shown yet has not loaded: it loads, later, from its renewed URL.
  urls.onRefresh(() => {
    for (const el of trackElements) if (el.readyState === HTMLTrackElement.NONE || el.readyState === HTMLTrackElement.ERROR) el.src = urls.current(el.src)
  })
  let chosen: string | null = null
  /** Only the member's choice shows: the browser's own automatic track selection is undone. */
  const enforce = () => {
    for (const el of trackElements) {
      const mode = el.dataset.wt === chosen ? 'showing' : 'disabled'
      if (el.track.mode !== mode) el.track.mode = mode
    }
  }
  const applySubtitles = (id: string | null) => {
    chosen = id
    enforce()
    changed()
  }
  const onTextTracks = () => { enforce(); changed() }
  // The menu follows the element's own state (a browser may change modes while it loads).
  media.textTracks.addEventListener('change', onTextTracks)
  const initialSubtitles = choice.subtitles === 'off' ? undefined : pickByLanguage(playback.subtitles, choice.subtitles)
  // Track elements load lazily: setting the mode once they exist is enough.
  applySubtitles(initialSubtitles?.id ?? null)

  const ready = new Promise<void>((resolve) => {
    const done = () => { media.removeEventListener('loadedmetadata', done); media.removeEventListener('error', done); resolve() }
    media.addEventListener('loadedmetadata', done)
    media.addEventListener('error', done)
  })

  const Ctor = playback.hlsUrl ? await loadHls().catch(() => null) : null
  if (playback.hlsUrl && Ctor?.isSupported()) {
    engine = 'hls.js'
    const player = new Ctor({
      enableWorker: true,
      capLevelToPlayerSize: false,
      backBufferLength: 60,
      // Every playlist and segment request goes out with the current token (renewed first if near expiry).
      xhrSetup: async (xhr, url) => {
        await urls.fresh()
        xhr.open('GET', urls.current(url), true)
      }
    })
    hls = player
    player.on(Ctor.Events.MANIFEST_PARSED, () => {
      const wanted = pickByLanguage(player.audioTracks.map((t, i) => ({ i, language: t.lang ?? null })), choice.audio)
      if (wanted && player.audioTrack !== wanted.i) player.audioTrack = wanted.i
      changed()
    })
    player.on(Ctor.Events.AUDIO_TRACK_SWITCHED, changed)
    player.on(Ctor.Events.ERROR, (_event, data) => {
      // A lost network or a stall is retried by hls.js; fatal media errors need a recovery, and a
      // request refused for good (a grant that ran out while the device slept) a new grant first.
      if (data.fatal && data.type === Ctor.ErrorTypes.MEDIA_ERROR) player.recoverMediaError()
      if (data.fatal && data.type === Ctor.ErrorTypes.NETWORK_ERROR && data.response?.code === 403) {
        urls.renew().then((renewed) => { if (renewed && hls === player) player.startLoad(media.currentTime) })
      }
    })
    player.loadSource(playback.hlsUrl)
    player.attachMedia(media as HTMLVideoElement)
  } else if (playback.hlsUrl && media.canPlayType('application/vnd.apple.mpegurl')) {
    engine = 'native-hls'
    media.src = playback.hlsUrl
  } else if (playback.fileUrl) {
    media.src = playback.fileUrl
  } else {
    // An HLS-only item in a browser without MSE or native HLS: say so through the element's error.
    media.removeAttribute('src')
    media.dispatchEvent(new Event('error'))
  }
  await ready

  const nativeAudio = () => (media as HTMLMediaElement & { audioTracks?: ArrayLike<{ id: string, language: string, label: string, enabled: boolean }> }).audioTracks
  return {
    engine,
    audioOptions: () => {
      if (hls) {
        const current = hls.audioTrack
        return hls.audioTracks.map((t, i) => ({ id: String(i), language: t.lang ?? null, label: t.name || t.lang || `Audio ${i + 1}`, default: t.default, active: i === current }))
      }
      const list = nativeAudio()
      if (!list) return []
      return Array.from(list).map((t, i) => ({ id: String(i), language: t.language || null, label: t.label || t.language || `Audio ${i + 1}`, default: i === 0, active: t.enabled }))
    },
    setAudio: (id) => {
      const index = Number(id)
      if (hls) {
        hls.audioTrack = index
        saveChoice({ audio: hls.audioTracks[index]?.lang ?? null })
      } else {
        const list = nativeAudio()
        if (list) for (let i = 0; i < list.length; i++) list[i]!.enabled = i === index
        saveChoice({ audio: list?.[index]?.language ?? null })
      }
      changed()
    },
    subtitleOptions: () => playback.subtitles.map((s) => ({ ...s, active: trackElements.find((el) => el.dataset.wt === s.id)?.track.mode === 'showing' })),
    setSubtitles: (id) => {
      applySubtitles(id)
      saveChoice({ subtitles: id === null ? 'off' : playback.subtitles.find((s) => s.id === id)?.language ?? null })
    },
    onTracksChanged: (fn) => { listeners.push(fn) },
    thumbnailsUrl: playback.thumbnailsUrl,
    mediaUrl: urls.current,
    destroy: () => {
      listeners.length = 0
      urls.stop()
      media.textTracks.removeEventListener('change', onTextTracks)
      hls?.destroy()
      for (const el of trackElements) el.remove()
    }
  }
}

/** hls.js is loaded on first use (its own chunk): pages without a player never download it. */
async function defaultLoadHls (): Promise<HlsConstructor> {
  return (await import('hls.js')).default
}
