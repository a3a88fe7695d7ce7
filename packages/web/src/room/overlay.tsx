import { FLOATING_REACTIONS } from '@watch-together/protocol'
import { formatDuration, formatMs, formatOffset, t } from '../i18n/index.js'
import type { RoomSession } from './session.js'
import type { syncFacts } from './video.js'

/** Offsets beyond this read "out of sync" (attach() corrects well within it; a cue is ~100 ms). */
const IN_SYNC_MS = 150

/**
 * The connection's truth over the video, on every screen size: a quiet "connected" pill, or a banner
 * while connecting, reconnecting (a live countdown and "Retry now") or offline.
 */
export function ConnectionBanner ({ session }: { session: RoomSession }) {
  const { status, retryAt } = session.connection
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false
  const state = offline && status !== 'open' ? 'offline' : status
  const waitMs = retryAt === null ? null : Math.max(0, retryAt - Date.now())
  const text = state === 'offline'
    ? t('room.connection.offline')
    : status === 'open'
      ? t('room.connection.open')
      : status === 'reconnecting'
        ? waitMs !== null && waitMs > 0 ? t('room.connection.reconnectingIn', { when: formatDuration(Math.max(1000, waitMs)) }) : t('room.connection.reconnecting')
        : status === 'closed' ? t('room.connection.closed') : t('room.connection.connecting')
  return (
    <div id='connection-state' class={`connection ${status === 'open' ? 'quiet' : 'loud'}`} data-state={status} data-offline={offline ? 'true' : undefined} role='status'>
      <span class='connection-text'>{text}</span>
      {status === 'reconnecting' && (
        <button id='retry-now' type='button' class='small-button' onClick={() => session.client.reconnectNow()}>{t('room.connection.retryNow')}</button>
      )}
    </div>
  )
}

/** "In sync, within 55 ms": the measured offset plus the clock's honest error bound; details on hover and for screen readers. */
export function SyncBadge ({ facts }: { facts: ReturnType<typeof syncFacts> }) {
  if (!facts) {
    return <span id='sync-offset' class='badge sync unknown'>{t('room.sync.unknown')}</span>
  }
  const good = Math.abs(facts.offsetMs) <= IN_SYNC_MS
  const text = good ? t('room.sync.good', { bound: formatMs(facts.boundMs) }) : t('room.sync.off', { offset: formatOffset(facts.offsetMs) })
  const details = facts.errorMs === null || facts.roundTripMs === null
    ? t('room.sync.detailsNoClock', { offset: formatOffset(facts.offsetMs) })
    : t('room.sync.details', { offset: formatOffset(facts.offsetMs), error: formatMs(Math.ceil(facts.errorMs)), rtt: formatMs(facts.roundTripMs) })
  return (
    <span
      id='sync-offset' class={`badge sync ${good ? 'good' : 'bad'}`} title={details} tabIndex={0}
      data-offset-ms={String(facts.offsetMs)} data-bound-ms={String(facts.boundMs)} data-error-ms={facts.errorMs === null ? undefined : String(Math.ceil(facts.errorMs))}
    >
      {text}<span class='visually-hidden'>. {details}</span>
    </span>
  )
}

/** Everyone's reactions rising over the video (live only; the server rate-limits them). */
export function Floats ({ session }: { session: RoomSession }) {
  return (
    <div class='floats' aria-hidden='true'>
      {session.floats.map((f) => (
        <span key={f.id} class='float' style={{ left: `${f.left}%` }} title={t('room.float.from', { name: f.name, emoji: f.emoji })}>
          {f.emoji}<small>{f.name}</small>
        </span>
      ))}
    </div>
  )
}

/** The reaction buttons over the video. */
export function FloatPicker ({ session }: { session: RoomSession }) {
  return (
    <div class='float-picker' role='group' aria-label={t('room.float.label')}>
      {FLOATING_REACTIONS.map((emoji) => (
        <button
          key={emoji} type='button' class='float-button' aria-label={t('room.float.send', { emoji })} disabled={!session.open}
          onClick={() => session.float(emoji)}
        >{emoji}
        </button>
      ))}
    </div>
  )
}
