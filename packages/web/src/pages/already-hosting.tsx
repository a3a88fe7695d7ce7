import { t } from '../i18n/index.js'

/** The last room this browser created, so "you already host a room" can offer the way back. */
export const LAST_ROOM_KEY = 'wt.lastRoom'

/** "You already host an active room" with the way back to it (the last room this browser created). */
export function AlreadyHosting ({ navigate }: { navigate: (path: string) => void }) {
  const last = JSON.parse(localStorage.getItem(LAST_ROOM_KEY) ?? 'null') as { roomId: string } | null
  return (
    <span>
      {t('createRoom.alreadyHosting')}{' '}
      {last
        ? <a href={`/rooms/${last.roomId}`} onClick={(e) => { e.preventDefault(); navigate(`/rooms/${last.roomId}`) }}>{t('createRoom.goBack')}</a>
        : t('createRoom.closeFirst')}
    </span>
  )
}
