import type { Film } from '@watch-together/protocol'
import { useEffect, useState } from 'preact/hooks'
import { type ApiError, films as filmsApi } from '../api.js'
import { takeFlash } from '../flash.js'
import { errorText, t } from '../i18n/index.js'
import { useLanguage } from '../ui/hooks.js'
import { TopBar } from '../ui/top-bar.js'
import { CreateRoomDialog } from './create-room.js'
import { JoinRoomBox } from './join-room.js'

type Navigate = (path: string) => void
/** What the page says at the top: a flash from the page before (words already), or a refusal (put in words each render). */
type Status = { text: string } | { error: unknown } | null

/** The catalog: "Join a room" by name, posters, "Want to watch" on each film, "Watch together" (matches have their own page). */
export function CatalogPage ({ navigate }: { navigate: Navigate }) {
  useLanguage()
  document.title = t('app.title', { page: t('catalog.title') })
  const [status, setStatus] = useState<Status>(() => { const flash = takeFlash(); return flash ? { text: flash } : null })
  const [films, setFilms] = useState<Film[] | null>(null)
  const [wanted, setWanted] = useState<Set<string>>(new Set())
  const [creating, setCreating] = useState<Film | null>(null)
  useEffect(() => {
    let alive = true
    Promise.all([filmsApi.list(), filmsApi.watchlist()]).then(([list, watchlist]) => {
      if (!alive) return
      setWanted(new Set(watchlist.items.map((item) => item.film.id)))
      setFilms(list.films)
    }, (err: ApiError) => { if (alive) setStatus({ error: err }) })
    return () => { alive = false }
  }, [])
  const onError = (err: unknown) => setStatus({ error: err })
  return (
    <>
      <TopBar />
      <main id='main' class='page'>
        <div class='title-row'><h1>{t('catalog.title')}</h1></div>
        <p class='notice' role='status'>
          {status && ('text' in status ? status.text : errorText(status.error))}
          {films?.length === 0 && t('catalog.empty')}
        </p>
        <JoinRoomBox navigate={navigate} />
        <ul class='film-grid' aria-label={t('catalog.title')}>
          {films?.map((film) => (
            <FilmCard
              key={film.id} film={film} wanted={wanted.has(film.id)} onError={onError} onTogether={() => setCreating(film)}
              setWanted={(yes) => setWanted((all) => { const next = new Set(all); if (yes) next.add(film.id); else next.delete(film.id); return next })}
            />
          ))}
        </ul>
        {creating && <CreateRoomDialog film={creating} navigate={navigate} onClose={() => setCreating(null)} />}
      </main>
    </>
  )
}

function FilmCard ({ film, wanted, setWanted, onError, onTogether }: {
  film: Film, wanted: boolean, setWanted: (yes: boolean) => void, onError: (err: unknown) => void, onTogether: () => void
}) {
  const [busy, setBusy] = useState(false)
  const toggle = () => {
    setBusy(true)
    ;(wanted ? filmsApi.unwant(film.id) : filmsApi.want(film.id)).then(() => setWanted(!wanted), onError).finally(() => setBusy(false))
  }
  return (
    <li class='film card'>
      {film.posterUrl
        ? <img class='poster' src={film.posterUrl} alt={t('catalog.poster', { title: film.title })} loading='lazy' width={480} height={270} />
        : <div class='poster placeholder' aria-hidden='true'>{film.title.slice(0, 1)}</div>}
      <div class='film-body'>
        <h2>{film.title} <span class='muted'>{film.year !== null ? `(${film.year})` : ''}</span></h2>
        <p class='muted'>{film.description ?? ''}</p>
        <div class='actions'>
          <button type='button' class='want' aria-pressed={String(wanted) as 'true' | 'false'} aria-label={t('catalog.wantLabel', { title: film.title })} disabled={busy} onClick={toggle}>
            {wanted ? '★' : '☆'} {t('catalog.want')}
          </button>
          <button type='button' class='primary' aria-haspopup='dialog' aria-label={t('catalog.together', { title: film.title })} onClick={onTogether}>
            {t('catalog.together', { title: film.title })}
          </button>
        </div>
      </div>
    </li>
  )
}
