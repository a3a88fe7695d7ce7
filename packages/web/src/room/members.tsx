import type { Room } from '@watch-together/protocol'
import { useState } from 'preact/hooks'
import { rooms as roomsApi } from '../api.js'
import { t } from '../i18n/index.js'
import type { MemberRow, RoomSession } from './session.js'

/**
 * Members with their badges: host, online (only while connected: never a stale "online"), muted,
 * leader, buffering. For the host, each other member has a menu: make host, mute, remove, ban (confirmed).
 */
export function Members ({ session }: { session: RoomSession }) {
  const [menu, setMenu] = useState<{ userId: string, confirmBan: boolean } | null>(null)
  const rows = session.rows()
  const host = session.isHost()
  const leader = session.client.state?.leaderId ?? null
  const open = menu && host && rows.some((m) => m.userId === menu.userId) ? menu : null
  const act = (userId: string, call: (roomId: string) => Promise<{ room: Room }>) => {
    setMenu(null)
    call(session.room.id).then(({ room }) => session.setRoom(room), session.fail)
  }
  const memberMenu = (m: MemberRow) => open?.confirmBan
    ? (
      <div class='member-menu' role='group' aria-label={t('room.members.manage', { name: m.name })}>
        <p class='small'>{t('room.members.banConfirm', { name: m.name })}</p>
        <button type='button' class='danger' onClick={() => act(m.userId, (id) => roomsApi.removeMember(id, m.userId, true))}>{t('room.members.banYes')}</button>
        <button type='button' onClick={() => setMenu(null)}>{t('common.cancel')}</button>
      </div>)
    : (
      <div class='member-menu' role='group' aria-label={t('room.members.manage', { name: m.name })}>
        <button type='button' onClick={() => act(m.userId, (id) => roomsApi.transferHost(id, m.userId))}>{t('room.members.makeHost')}</button>
        <button type='button' onClick={() => act(m.userId, (id) => roomsApi.setMuted(id, m.userId, !m.muted))}>{m.muted ? t('room.members.unmute') : t('room.members.mute')}</button>
        <button type='button' class='danger' onClick={() => act(m.userId, (id) => roomsApi.removeMember(id, m.userId, false))}>{t('room.members.remove')}</button>
        <button type='button' class='danger' onClick={() => setMenu({ userId: m.userId, confirmBan: true })}>{t('room.members.ban')}</button>
      </div>)
  return (
    <section class='tool' aria-labelledby='members-title'>
      <h2 id='members-title'>{t('room.members.title')} <span class='muted small'>({t('room.members.count', { count: rows.length })})</span></h2>
      <ul
        id='members' class='members' onKeyDown={(e) => {
          if (e.key !== 'Escape' || !open) return
          e.stopPropagation()
          const userId = open.userId
          setMenu(null)
          requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`#members [data-user-id="${CSS.escape(userId)}"] .member-actions`)?.focus())
        }}
      >
        {rows.map((m) => {
          const mine = m.userId === session.myId
          const isOpen = open?.userId === m.userId
          return (
            <li key={m.userId} class='member' data-user-id={m.userId}>
              <span class={`dot${session.open ? (m.online ? ' on' : '') : ' unknown'}`} aria-hidden='true' />
              <span class='name'>{m.name}{mine ? t('room.members.you') : ''}</span>
              {m.host && <span class='badge host'>{t('room.members.host')}</span>}
              {session.open && <span class={`badge presence ${m.online ? 'online' : 'offline'}`}>{m.online ? t('room.members.online') : t('room.members.offline')}</span>}
              {m.muted && <span class='badge muted' title={t('room.members.mutedTitle')}>{t('room.members.muted')}</span>}
              {session.open && leader === m.userId && <span class='badge leader' title={t('room.members.leaderTitle')}>{t('room.members.leader')}</span>}
              {session.open && session.buffering.has(m.userId) && <span class='badge buffering'>{t('room.members.buffering')}</span>}
              {host && !mine && (
                <button
                  type='button' class='member-actions' aria-label={t('room.members.manage', { name: m.name })} aria-expanded={isOpen}
                  onClick={() => setMenu(isOpen ? null : { userId: m.userId, confirmBan: false })}
                >⋯
                </button>
              )}
              {isOpen && memberMenu(m)}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
