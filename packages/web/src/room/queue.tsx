import { t } from '../i18n/index.js'
import type { RoomSession } from './session.js'

/** The room's queue (pushed with every state change): the film playing now, and the others to switch to. */
export function Queue ({ session, askFilm }: { session: RoomSession, askFilm: (index: number) => void }) {
  const items = session.queue()
  return (
    <section class='tool' aria-labelledby='queue-title'>
      <h2 id='queue-title'>{t('room.queue.title')}</h2>
      {items.length === 0 && <p class='muted'>{t('room.queue.empty')}</p>}
      <ol id='queue' class='queue'>
        {items.map(({ film, index, current }) => (
          <li key={`${index}-${film.id}`} class={`queue-item${current ? ' current' : ''}`} aria-current={current ? 'true' : undefined}>
            {film.posterUrl ? <img src={film.posterUrl} alt='' width={64} height={36} loading='lazy' /> : <span class='poster-dot' aria-hidden='true' />}
            <span class='queue-title'>
              <span>{film.title}</span>
              <span class='muted small'>{current ? t('room.queue.now') : t('room.queue.position', { n: index + 1, total: items.length })}</span>
            </span>
            {!current && <button type='button' class='small-button' aria-label={t('room.queue.play', { title: film.title })} onClick={() => askFilm(index)}>▶</button>}
          </li>
        ))}
      </ol>
    </section>
  )
}
