import type { Announcement } from '@watch-together/client'
import { t } from '../i18n/index.js'
import type { RoomSession } from './session.js'

/** "3 here · 2 playing · 1 buffering" and the service-wide line; hidden until the first push and while disconnected. */
export function Counters ({ session }: { session: RoomSession }) {
  const c = session.counters
  if (!c) return null
  const title = session.currentFilm().title
  const room = [t('room.counters.here', { count: c.room.online }), t('room.counters.playing', { count: c.room.playing })]
  if (c.room.buffering > 0) room.push(t('room.counters.buffering', { count: c.room.buffering }))
  return (
    <p class='counters muted small'>
      <span id='room-counters' data-online={c.room.online} data-playing={c.room.playing} data-buffering={c.room.buffering}>{room.join(' · ')}</span>
      <span id='service-counters' data-connected-users={c.service.connectedUsers} data-film-viewers={c.service.filmViewers}>
        {t('room.counters.online', { count: c.service.connectedUsers })} · {t('room.counters.watching', { count: c.service.filmViewers, title })}
      </span>
    </p>
  )
}

/** Operators' announcements (to this room or to everyone), each with its own Dismiss button. */
export function Announcements ({ items, dismiss }: { items: Announcement[], dismiss: (seq: number) => void }) {
  return (
    <div id='announcements' class='announcements' role='status' aria-label={t('room.announcements.label')}>
      {items.map((a) => (
        <div key={a.seq} class='announcement' data-scope={a.scope} data-seq={a.seq}>
          <span class='announcement-icon' aria-hidden='true'>📣</span>
          <p id={`announcement-${a.seq}`}><strong>{a.scope === 'all' ? t('room.announcements.all') : t('room.announcements.room')}</strong>{a.text}</p>
          <button
            type='button' class='dismiss' aria-describedby={`announcement-${a.seq}`} onClick={(e) => {
              // Focus goes to the next banner's Dismiss (or the previous one), else to the play button.
              const buttons = [...document.querySelectorAll<HTMLButtonElement>('#announcements .dismiss')]
              const here = buttons.indexOf(e.currentTarget as HTMLButtonElement)
              const next = buttons[here + 1] ?? buttons[here - 1]
              const hadFocus = document.activeElement === e.currentTarget
              dismiss(a.seq)
              if (hadFocus) requestAnimationFrame(() => (next ?? document.getElementById('play-pause'))?.focus())
            }}
          >
            {t('room.announcements.dismiss')}<span class='visually-hidden'>{t('room.announcements.dismissHidden')}</span>
          </button>
        </div>
      ))}
    </div>
  )
}

/** A refused command, a failed call, a flash from the page before: one line, read out. */
export function Notice ({ session }: { session: RoomSession }) {
  return <p id='room-notice' class='notice' role='alert'>{session.notice}</p>
}
