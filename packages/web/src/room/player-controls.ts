import { RoomError } from '@watch-together/client'
import { formatTime, h, replaceChildren } from '../dom.js'
import { icon } from '../icons.js'
import type { RoomContext } from './room-page.js'

const SEEK_STEP_S = 5
/** Lead time asked with play and seek, so every member starts on the same instant. */
const LEAD_MS = 300

/** Words for the refusals a user can cause. */
export function describeRefusal (err: unknown): string {
  if (!(err instanceof RoomError)) return (err as Error).message
  switch (err.code) {
    case 'RT_NOT_ALLOWED': return 'The host has locked the controls: only the host can play, pause or seek.'
    case 'RT_INVALID_INDEX': return 'There is no film in that direction.'
    case 'RT_MUTED': return 'The host muted you: your messages are not sent.'
    case 'RT_NOT_HOST': return 'Only the host can do that.'
    case 'RT_MESSAGE_NOT_FOUND': return 'That message is too old to change.'
    case 'WT_NOT_CONNECTED': return 'Not connected to the room yet; try again in a moment.'
    case 'WT_TIMEOUT': return 'The room did not answer in time; try again.'
    default: return err.message
  }
}

/**
 * The shared controls: every button sends a room command (the SDK's attach() then moves the
 * video, for the sender and everyone else alike). Keyboard: space plays / pauses, arrows seek.
 */
export function playerControls (rc: RoomContext, video: HTMLVideoElement, offsetBadge: HTMLElement) {
  const { client } = rc
  const run = (command: () => Promise<unknown>) => { command().catch((err) => rc.notify(describeRefusal(err))) }
  const toggle = () => run(() => client.state?.playing ? client.pause() : client.play(LEAD_MS))
  const seekTo = (ms: number) => run(() => client.seek(Math.max(0, ms), client.state?.playing ? LEAD_MS : undefined))
  const seekBy = (deltaS: number) => seekTo((client.position() ?? video.currentTime * 1000) + deltaS * 1000)

  const playButton = h('button', { id: 'play-pause', className: 'primary', attrs: { type: 'button', 'aria-label': 'Play', 'aria-keyshortcuts': 'Space' }, on: { click: toggle } }, icon('play'))
  const prev = h('button', { id: 'previous', attrs: { type: 'button', 'aria-label': 'Previous film' }, on: { click: () => run(() => client.previous()) } }, icon('previous'))
  const next = h('button', { id: 'next', attrs: { type: 'button', 'aria-label': 'Next film' }, on: { click: () => run(() => client.next()) } }, icon('next'))
  const back = h('button', { attrs: { type: 'button', 'aria-label': `Back ${SEEK_STEP_S} seconds`, 'aria-keyshortcuts': 'ArrowLeft' }, on: { click: () => seekBy(-SEEK_STEP_S) } }, icon('back'), '5s')
  const ahead = h('button', { attrs: { type: 'button', 'aria-label': `Forward ${SEEK_STEP_S} seconds`, 'aria-keyshortcuts': 'ArrowRight' }, on: { click: () => seekBy(SEEK_STEP_S) } }, '5s', icon('forward'))
  const mute = h('button', { id: 'mute', attrs: { type: 'button', 'aria-pressed': 'true', 'aria-keyshortcuts': 'M' } }, icon('muted'), 'Sound off')
  const time = h('span', { id: 'time', className: 'time', attrs: { 'aria-live': 'off' } }, '0:00 / 0:00')
  const seek = h('input', {
    id: 'seek',
    className: 'seek',
    attrs: { type: 'range', min: '0', max: '0', step: '0.1', value: '0', 'aria-label': 'Seek' }
  })
  let dragging = false
  seek.addEventListener('input', () => {
    dragging = true
    time.textContent = `${formatTime(Number(seek.value) * 1000)} / ${formatTime((video.duration || 0) * 1000)}`
  })
  seek.addEventListener('change', () => { dragging = false; seekTo(Number(seek.value) * 1000) })
  // Arrow keys on the focused slider go through the shortcut below (one seek, not a drag).
  seek.addEventListener('keydown', (e) => { if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') e.preventDefault() })
  mute.addEventListener('click', () => {
    video.muted = !video.muted
    mute.setAttribute('aria-pressed', String(video.muted))
    replaceChildren(mute, icon(video.muted ? 'muted' : 'sound'), video.muted ? 'Sound off' : 'Sound on')
  })

  const showState = () => {
    const playing = client.state?.playing ?? false
    replaceChildren(playButton, icon(playing ? 'pause' : 'play'))
    playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play')
    const s = client.state
    prev.disabled = !s || s.index <= 0
    next.disabled = !s || s.index >= s.queue.length - 1
  }
  const offState = client.on('state', showState)

  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null
    const typing = target?.closest('input:not([type=range]), textarea, select, [contenteditable=true]')
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return
    if (e.key === ' ' && target?.tagName !== 'BUTTON') { e.preventDefault(); toggle() } else if (e.key === 'ArrowLeft') { e.preventDefault(); seekBy(-SEEK_STEP_S) } else if (e.key === 'ArrowRight') { e.preventDefault(); seekBy(SEEK_STEP_S) } else if (e.key === 'm' || e.key === 'M') mute.click()
  }
  document.addEventListener('keydown', onKey)

  // The slider, the clock and the measured offset between this video and the room's timeline.
  const timer = setInterval(() => {
    const duration = Number.isFinite(video.duration) ? video.duration : 0
    seek.max = String(duration)
    if (!dragging) {
      seek.value = String(video.currentTime)
      time.textContent = `${formatTime(video.currentTime * 1000)} / ${formatTime(duration * 1000)}`
    }
    const room = client.position()
    if (room === null || video.readyState < 2) {
      offsetBadge.textContent = 'sync —'
      delete offsetBadge.dataset.offsetMs
      return
    }
    const ideal = duration > 0 ? Math.min(room, duration * 1000) : room
    const offset = Math.round(video.currentTime * 1000 - ideal)
    offsetBadge.textContent = `sync ${offset >= 0 ? '+' : ''}${offset} ms`
    offsetBadge.dataset.offsetMs = String(offset)
  }, 250)

  const element = h('div', { className: 'controls', attrs: { role: 'group', 'aria-label': 'Playback controls (shared by the room)' } },
    h('div', { className: 'seek-row' }, seek, time),
    h('div', { className: 'button-row' }, prev, back, playButton, ahead, next, mute),
    h('p', { className: 'muted small' }, 'Shortcuts: Space play / pause · ← → seek 5 s · M sound'))
  return {
    element,
    stop: () => { clearInterval(timer); offState(); document.removeEventListener('keydown', onKey) }
  }
}
