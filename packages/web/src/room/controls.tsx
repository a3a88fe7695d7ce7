import { useState } from 'preact/hooks'
import { formatTime } from '../dom.js'
import { t } from '../i18n/index.js'
import { Icon } from '../ui/icons.js'
import { type Commands, SEEK_STEP_S } from './commands.js'
import { type PreviewSource, SeekPreview } from './seek-preview.js'
import type { RoomSession } from './session.js'

export interface ControlsProps {
  session: RoomSession
  cmd: Commands
  time: { current: number, duration: number }
  dragging: { value: number | null, set: (v: number | null) => void }
  /** Seek previews of the current item (null: none, or not loaded yet). */
  preview: PreviewSource | null
  muted: boolean
  toggleSound: () => void
  fullscreen: boolean
  toggleFullscreen: () => void
  askFilm: (index: number) => void
  chatShown: boolean
  toggleChat: () => void
  openHelp: () => void
}

/** The shared controls: every button sends a room command (attach() then moves the video for everyone alike). */
export function Controls (p: ControlsProps) {
  const state = p.session.client.state
  const playing = state?.playing ?? false
  const shown = p.dragging.value ?? p.time.current
  const locked = p.session.controlMode === 'host_only' && !p.session.isHost()
  // Where the pointer hovers over the slider (seconds), for the preview; a drag shows its own value.
  const [hover, setHover] = useState<number | null>(null)
  const hoverAt = (e: PointerEvent) => {
    const box = (e.currentTarget as HTMLInputElement).getBoundingClientRect()
    setHover(box.width > 0 ? Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)) * p.time.duration : null)
  }
  return (
    <div class='controls' role='group' aria-label={t('room.controls.group')}>
      <div class='seek-row'>
        <div class='seek-box'>
          <SeekPreview source={p.preview} at={p.dragging.value ?? hover} duration={p.time.duration} />
          <input
            id='seek' class='seek' type='range' min='0' max={String(p.time.duration)} step='0.1' value={String(shown)} aria-label={t('room.controls.seek')}
            aria-valuetext={`${formatTime(shown * 1000)} / ${formatTime(p.time.duration * 1000)}`}
            onInput={(e) => p.dragging.set(Number((e.currentTarget as HTMLInputElement).value))}
            onChange={(e) => { p.dragging.set(null); p.cmd.seekTo(Number((e.currentTarget as HTMLInputElement).value) * 1000) }}
          // Arrow keys on the focused slider go through the room's shortcut (one seek, not a drag).
            onKeyDown={(e) => { if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') e.preventDefault() }}
            onPointerMove={hoverAt} onPointerLeave={() => setHover(null)}
          />
        </div>
        <span id='time' class='time' aria-hidden='true'>{formatTime(shown * 1000)} / {formatTime(p.time.duration * 1000)}</span>
      </div>
      {locked && <p id='locked-note' class='locked-note small'>🔒 {t('room.controls.locked')}</p>}
      <div class='button-row'>
        <button
          id='previous' type='button' class='icon-button' aria-label={t('room.controls.previous')} disabled={!state || state.index <= 0}
          onClick={() => state && p.askFilm(state.index - 1)}
        ><Icon name='previous' />
        </button>
        <button type='button' class='icon-button' aria-label={t('room.controls.back', { s: SEEK_STEP_S })} aria-keyshortcuts='ArrowLeft' onClick={() => p.cmd.seekBy(-SEEK_STEP_S)}><Icon name='back' /></button>
        <button
          id='play-pause' type='button' class='primary icon-button' aria-label={playing ? t('room.controls.pause') : t('room.controls.play')} aria-keyshortcuts='Space'
          onClick={() => p.cmd.toggle()}
        ><Icon name={playing ? 'pause' : 'play'} />
        </button>
        <button type='button' class='icon-button' aria-label={t('room.controls.forward', { s: SEEK_STEP_S })} aria-keyshortcuts='ArrowRight' onClick={() => p.cmd.seekBy(SEEK_STEP_S)}><Icon name='forward' /></button>
        <button
          id='next' type='button' class='icon-button' aria-label={t('room.controls.next')} disabled={!state || state.index >= state.queue.length - 1}
          onClick={() => state && p.askFilm(state.index + 1)}
        ><Icon name='next' />
        </button>
        <span class='spacer' />
        <button
          id='mute' type='button' class='icon-button' aria-pressed={p.muted} aria-keyshortcuts='M'
          aria-label={p.muted ? t('room.controls.unmute') : t('room.controls.mute')} title={p.muted ? t('room.controls.soundOff') : t('room.controls.soundOn')}
          onClick={() => p.toggleSound()}
        ><Icon name={p.muted ? 'muted' : 'sound'} />
        </button>
        <button
          id='fullscreen' type='button' class='icon-button' aria-pressed={p.fullscreen} aria-keyshortcuts='F'
          aria-label={p.fullscreen ? t('room.controls.exitFullscreen') : t('room.controls.fullscreen')}
          onClick={() => p.toggleFullscreen()}
        ><Icon name={p.fullscreen ? 'exitFullscreen' : 'fullscreen'} />
        </button>
        <button
          id='toggle-chat' type='button' class='icon-button desktop-only' aria-pressed={p.chatShown} aria-keyshortcuts='C'
          aria-label={p.chatShown ? t('room.tools.hideChat') : t('room.tools.showChat')} onClick={() => p.toggleChat()}
        ><Icon name='chat' />
        </button>
        <button
          id='shortcuts-help' type='button' class='icon-button' aria-haspopup='dialog' aria-keyshortcuts='Shift+?'
          aria-label={t('room.controls.shortcuts')} onClick={() => p.openHelp()}
        ><Icon name='keyboard' />
        </button>
      </div>
    </div>
  )
}
