import { useState } from 'preact/hooks'
import { language, t } from '../i18n/index.js'
import type { RoomSession } from './session.js'

/**
 * The invite link (room-api's /r/<code> preview page, with the inviter's language so the preview a
 * messenger shows speaks it), a copy button, a Telegram share link; for a named room also /r/<name>.
 */
export function Invite ({ session }: { session: RoomSession }) {
  const [status, setStatus] = useState('')
  const lang = language()
  const link = `${location.origin}/r/${session.room.inviteCode}${lang === 'en' ? '' : `?lang=${lang}`}`
  const title = session.currentFilm().title
  const telegram = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(t('room.invite.shareText', { title }))}`
  const copy = (field: string, done: string) => {
    const input = document.getElementById(field) as HTMLInputElement | null
    const fallback = () => { input?.select(); setStatus(t('room.invite.selectCopy')) }
    if (!navigator.clipboard || !input) return fallback()
    navigator.clipboard.writeText(input.value).then(() => setStatus(done), fallback)
  }
  const name = session.room.name
  return (
    <section class='tool stack' aria-labelledby='invite-title'>
      <h2 id='invite-title'>{t('room.invite.title')}</h2>
      <label for='invite-link'>{t('room.invite.link')}</label>
      <input id='invite-link' readOnly value={link} />
      <div class='actions'>
        <button id='copy-invite' type='button' class='primary' onClick={() => copy('invite-link', t('room.invite.copied'))}>{t('room.invite.copy')}</button>
        <a id='share-telegram' class='button' href={telegram} target='_blank' rel='noopener noreferrer'>{t('room.invite.telegram')}</a>
      </div>
      {name && (
        <>
          <p id='room-name-line'>{t('room.invite.name')} <strong>{name}</strong><span class='muted'>{t('room.invite.nameHint')}</span></p>
          <label for='name-link'>{t('room.invite.nameLink')}</label>
          <input id='name-link' readOnly value={`${location.origin}/r/${encodeURIComponent(name)}`} />
          <div class='actions'>
            <button id='copy-name-link' type='button' onClick={() => copy('name-link', t('room.invite.nameCopied'))}>{t('room.invite.copyName')}</button>
          </div>
        </>
      )}
      <p class='muted small' role='status'>{status}</p>
    </section>
  )
}
