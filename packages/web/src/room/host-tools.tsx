import { useEffect, useRef, useState } from 'preact/hooks'
import { rooms as roomsApi } from '../api.js'
import { t } from '../i18n/index.js'
import type { RoomSession } from './session.js'

/** Host only: lock the controls and close the room (two steps). Guests see when the controls are locked. */
export function HostTools ({ session }: { session: RoomSession }) {
  const [busy, setBusy] = useState(false)
  const [closing, setClosing] = useState(false)
  const confirm = useRef<HTMLButtonElement>(null)
  useEffect(() => { if (closing) confirm.current?.focus() }, [closing])
  const locked = session.controlMode === 'host_only'
  if (!session.isHost()) {
    if (!locked) return null
    return (
      <section id='host-controls' class='tool' aria-labelledby='host-title'>
        <h2 id='host-title'>{t('room.host.lockedTitle')}</h2>
        <p class='muted'>{t('room.host.lockedText')}</p>
      </section>
    )
  }
  return (
    <section id='host-controls' class='tool stack' aria-labelledby='host-title'>
      <h2 id='host-title'>{t('room.host.title')}</h2>
      <button
        id='lock-controls' type='button' aria-pressed={locked} disabled={busy} onClick={() => {
          setBusy(true)
          roomsApi.setControlMode(session.room.id, locked ? 'everyone' : 'host_only')
            .then(({ room }) => session.setRoom(room), session.fail).finally(() => setBusy(false))
        }}
      >{locked ? t('room.host.unlock') : t('room.host.lock')}
      </button>
      <p class='muted small'>{t('room.host.hint')}</p>
      <div class='actions'>
        <button id='close-room' type='button' class='danger' aria-expanded={closing} onClick={() => setClosing(true)}>{t('room.host.close')}</button>
        {closing && (
          <button
            id='confirm-close' type='button' class='danger' ref={confirm}
            onClick={() => { roomsApi.close(session.room.id).then(() => { session.refreshRoom().catch(() => {}) }, session.fail) }}
          >{t('room.host.closeYes')}
          </button>
        )}
      </div>
    </section>
  )
}
