import { t } from '../i18n/index.js'
import { Problem } from '../ui/problem.js'
import { loadSavedChat } from './saved-chat.js'
import type { GoneReason } from './session.js'

/** The closed-room screen: why in words, the way back, and the chat history this browser kept (when you were a member). */
export function ClosedRoom ({ roomId, reason }: { roomId: string, reason: string }) {
  const history = loadSavedChat(roomId)
  const why = ['host', 'film_ended', 'empty', 'archived'].includes(reason) ? reason : 'closed'
  document.title = t('app.title', { page: t('closed.title') })
  return (
    <main id='main' class='page narrow-wide'>
      <Problem id='room-closed' kind='closed' title={t('closed.title')} text={t(`closed.${why}`)} />
      <section class='card stack' aria-labelledby='history-title'>
        <h2 id='history-title'>{t('closed.history')}</h2>
        {history.length === 0
          ? <p class='muted'>{t('closed.noHistory')}</p>
          : (
            <ol id='closed-history' class='messages'>
              {history.map((m) => (
                <li key={m.messageId} class='message'>
                  <span class='author'>{m.name}</span>{' '}
                  {m.deleted ? <span class='text deleted'>{t('room.chat.deleted')}</span> : <span class='text'>{m.text}</span>}
                </li>
              ))}
            </ol>)}
      </section>
    </main>
  )
}

/** Why this user is not (or no longer) in the room, in plain words, and the way back. */
export function Gone ({ reason }: { reason: GoneReason }) {
  const title = t(`gone.${reason}.title`)
  document.title = t('app.title', { page: title })
  return (
    <main id='main' class='page narrow-wide'>
      <Problem id='room-gone' kind={reason} title={title} text={t(`gone.${reason}.text`)} />
    </main>
  )
}
