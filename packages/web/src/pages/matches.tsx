import { useEffect, useState } from 'preact/hooks'
import { friendProblem, namesText } from '../account-words.js'
import { ApiError, films as filmsApi, type Match, rooms as roomsApi } from '../api.js'
import { setFlash } from '../flash.js'
import { errorText, t } from '../i18n/index.js'
import { onFriendsChanged } from '../live.js'
import { linkHandler } from '../router.js'
import { Avatar } from '../ui/avatar.js'
import { useLanguage } from '../ui/hooks.js'
import { TopBar } from '../ui/top-bar.js'
import { AlreadyHosting, LAST_ROOM_KEY } from './already-hosting.js'

type Navigate = (path: string) => void
/** What the page says above the list: words, or "you already host a room" with the way back to it. */
type Status = { kind: 'text', text: string } | { kind: 'hosting' } | null

/**
 * Matches: films on my list that friends want too, most friends first, with their names and pictures.
 * "Watch together" creates a room for the film, invites those friends (each gets a live invitation)
 * and goes into the room.
 */
export function MatchesPage ({ navigate }: { navigate: Navigate }) {
  useLanguage()
  document.title = t('app.title', { page: t('matches.title') })
  const [matches, setMatches] = useState<Match[] | null>(null)
  const [failed, setFailed] = useState<ApiError | null>(null)
  const [status, setStatus] = useState<Status>(null)
  useEffect(() => {
    let alive = true
    let asked = 0
    const refresh = () => {
      const mine = ++asked
      filmsApi.matches().then(({ matches }) => { if (alive && mine === asked) { setMatches(matches); setFailed(null) } },
        (err: ApiError) => { if (alive && mine === asked) setFailed(err) })
    }
    refresh()
    // A friend accepted or left: the matches change with them.
    const off = onFriendsChanged(() => refresh())
    return () => { alive = false; off() }
  }, [])
  return (
    <>
      <TopBar />
      <main id='main' class='page matches-page'>
        <h1>{t('matches.title')}</h1>
        <p class='muted'>{t('matches.intro')}</p>
        <p id='matches-status' class='notice' role='status'>
          {status?.kind === 'text' && status.text}
          {status?.kind === 'hosting' && <AlreadyHosting navigate={navigate} />}
        </p>
        <p class='muted'>
          {failed
            ? t('matches.loadFailed', { why: friendProblem(failed) })
            : !matches
                ? t('common.loading')
                : matches.length === 0 && (
                  <>
                    {t('matches.emptyBefore')} <a href='/' onClick={linkHandler('/')}>{t('nav.films')}</a> {t('matches.emptyMiddle')}{' '}
                    <a href='/friends' onClick={linkHandler('/friends')}>{t('nav.friends')}</a>{t('matches.emptyAfter')}
                  </>
                )}
        </p>
        <ul id='matches' class='match-list' aria-label={t('matches.label')}>
          {matches?.map((m) => <MatchCard key={m.film.id} m={m} navigate={navigate} setStatus={setStatus} />)}
        </ul>
      </main>
    </>
  )
}

function MatchCard ({ m, navigate, setStatus }: { m: Match, navigate: Navigate, setStatus: (s: Status) => void }) {
  const [busy, setBusy] = useState(false)
  const who = namesText(m.friends.map((f) => f.displayName), m.count)
  const shown = Math.min(8, m.friends.length)
  const start = () => {
    setBusy(true)
    setStatus(null)
    watchTogether(m, navigate).catch((err: unknown) => {
      setBusy(false)
      if (err instanceof ApiError && err.code === 'ROOM_ALREADY_ACTIVE') return setStatus({ kind: 'hosting' })
      setStatus({ kind: 'text', text: t('matches.startFailed', { why: err instanceof ApiError ? friendProblem(err) : errorText(err) }) })
    })
  }
  return (
    <li class='match card' data-film-id={m.film.id}>
      {m.film.posterUrl
        ? <img class='match-poster' src={m.film.posterUrl} alt='' width={160} height={90} loading='lazy' />
        : <div class='match-poster placeholder' aria-hidden='true'>{m.film.title.slice(0, 1)}</div>}
      <div class='match-body'>
        <h2>{m.film.title} <span class='muted'>{m.film.year !== null ? `(${m.film.year})` : ''}</span></h2>
        <p class='match-who'>{t('matches.who', { who, count: m.count })}</p>
        <ul class='friend-chips' aria-label={t('matches.chips', { title: m.film.title })}>
          {m.friends.slice(0, 8).map((f) => <li key={f.id} class='chip' title={`@${f.handle}`}><Avatar url={f.avatarUrl} /><span>{f.displayName}</span></li>)}
          {m.count > shown && <li class='chip more'>+{m.count - shown}</li>}
        </ul>
        <div class='actions'>
          <button type='button' class='primary' disabled={busy} aria-label={t('matches.watchWith', { title: m.film.title, who })} onClick={start}>
            {t('matches.watch', { title: m.film.title })}
          </button>
        </div>
      </div>
    </li>
  )
}

/** Creates the room (a refusal is thrown to the card), invites the match's friends (room-api lets only friends be invited), goes in. */
async function watchTogether (m: Match, navigate: Navigate) {
  const { room, link } = await roomsApi.create(m.film.id)
  localStorage.setItem(LAST_ROOM_KEY, JSON.stringify({ roomId: room.id, link }))
  const ids = m.friends.map((f) => f.id).slice(0, 50)
  try {
    const { invited } = await roomsApi.invite(room.id, ids)
    const invitedNames = m.friends.filter((f) => invited.includes(f.id)).map((f) => f.displayName)
    setFlash(invitedNames.length > 0 ? t('matches.invited', { names: namesText(invitedNames) }) : t('matches.nobodyInvited'))
  } catch (err) {
    // The room exists either way: go in, and say what went wrong there.
    const names = namesText(m.friends.map((f) => f.displayName))
    setFlash(t('matches.inviteFailed', { why: err instanceof ApiError ? friendProblem(err, names) : errorText(err) }))
  }
  navigate(`/rooms/${room.id}`)
}
