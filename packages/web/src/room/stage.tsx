import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { t } from '../i18n/index.js'
import { loadSeekThumbnails } from '../media/seek-thumbnails.js'
import { trackMenu } from '../media/track-menu.js'
import { rememberSound, soundOn } from '../prefs.js'
import { useTicker } from '../ui/hooks.js'
import { commands } from './commands.js'
import { Controls } from './controls.js'
import type { PreviewSource } from './seek-preview.js'
import { ConnectionBanner, FloatPicker, Floats, SyncBadge } from './overlay.js'
import { type ShortcutActions, useShortcuts } from './shortcuts.js'
import type { RoomSession } from './session.js'
import { driveVideo, syncFacts } from './video.js'

export interface StageProps {
  session: RoomSession
  askFilm: (index: number) => void
  chatShown: boolean
  toggleChat: () => void
  openHelp: () => void
  /** Shown over the video in fullscreen: the chat overlay. */
  fullscreenChat: ComponentChildren
}

/**
 * The player: the one <video> of the room (driven by video.ts), what floats over it (connection
 * banner, sync badge, reactions, the unmute prompt, the chat in fullscreen) and the shared controls.
 */
export function Stage (p: StageProps) {
  const { session } = p
  const stage = useRef<HTMLElement>(null)
  const video = useRef<HTMLVideoElement>(null)
  const trackBox = useRef<HTMLDivElement>(null)
  const [muted, setMuted] = useState(true)
  const [prompt, setPrompt] = useState(false)
  const [dragging, setDragging] = useState<number | null>(null)
  const [fullscreen, setFullscreen] = useState(false)
  const [preview, setPreview] = useState<PreviewSource | null>(null)
  const cmd = useMemo(() => commands(session, () => video.current), [session])

  useEffect(() => {
    const el = video.current!
    // This member's audio and subtitle menu (src/media, plain DOM) lives under the controls.
    const tracks = trackMenu({ audio: t('room.controls.audio'), subtitles: t('room.controls.subtitles'), off: t('room.controls.subtitlesOff') })
    trackBox.current?.replaceChildren(tracks.element)
    // Each item's seek previews load once it is attached (and are dropped when it is not current).
    let attached: unknown = null
    const driven = driveVideo(session, el, tracks, (source) => {
      attached = source
      setPreview(null)
      if (!source?.thumbnailsUrl) return
      loadSeekThumbnails(source.mediaUrl(source.thumbnailsUrl)).then((thumbs) => {
        if (thumbs && attached === source) setPreview({ thumbs, mediaUrl: source.mediaUrl })
      })
    })
    const onVolume = () => setMuted(el.muted)
    el.addEventListener('volumechange', onVolume)
    // The remembered sound choice: straight on when the browser allows sound (the user already
    // interacted with the page), otherwise one tap on the prompt (autoplay rules).
    if (soundOn()) {
      if (navigator.userActivation?.hasBeenActive) el.muted = false
      else setPrompt(true)
    }
    return () => { el.removeEventListener('volumechange', onVolume); driven.release() }
  }, [session])

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === stage.current)
    document.addEventListener('fullscreenchange', onChange)
    return () => document.removeEventListener('fullscreenchange', onChange)
  }, [])

  // The clock, the slider, the sync badge and the reconnect countdown move on their own.
  useTicker(250)

  const setSound = (on: boolean) => {
    const el = video.current
    if (!el) return
    el.muted = !on
    rememberSound(on)
    setPrompt(false)
    // A play started muted keeps going; one the browser refused is started now that the user acted.
    if (on && session.client.state?.playing && el.paused) el.play().catch(() => {})
  }
  const toggleFullscreen = useCallback(() => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {})
    else stage.current?.requestFullscreen?.().catch(() => {})
  }, [])

  const actions: ShortcutActions = useMemo(() => ({
    toggle: cmd.toggle,
    seekBy: cmd.seekBy,
    sound: () => setSound(video.current?.muted ?? true),
    fullscreen: toggleFullscreen,
    chat: p.toggleChat,
    react: () => session.float('👍'),
    help: p.openHelp
  }), [cmd, p.toggleChat, p.openHelp])
  useShortcuts(actions)

  const el = video.current
  const duration = el && Number.isFinite(el.duration) ? el.duration : 0
  const film = session.currentFilm()
  return (
    <section ref={stage} class={`stage${fullscreen ? ' is-fullscreen' : ''}`} aria-label={t('room.player')}>
      <div class='video-box'>
        <video id='room-video' ref={video} playsInline preload='auto' aria-label={t('room.video', { title: film.title })} />
        <div class='overlay-top'>
          <ConnectionBanner session={session} />
          <SyncBadge facts={el ? syncFacts(session, el) : null} />
        </div>
        <Floats session={session} />
        {prompt && muted && (
          <button id='unmute-prompt' type='button' class='unmute-prompt' onClick={() => setSound(true)}>🔊 {t('room.controls.unmutePrompt')}</button>
        )}
        <FloatPicker session={session} />
        {fullscreen && <div class='fs-chat'>{p.fullscreenChat}</div>}
      </div>
      <Controls
        session={session} cmd={cmd} time={{ current: el?.currentTime ?? 0, duration }}
        dragging={{ value: dragging, set: setDragging }} preview={preview} muted={muted} toggleSound={() => setSound(muted)}
        fullscreen={fullscreen} toggleFullscreen={toggleFullscreen} askFilm={p.askFilm}
        chatShown={p.chatShown} toggleChat={p.toggleChat} openHelp={p.openHelp}
      />
      <div class='tracks' ref={trackBox} />
    </section>
  )
}
