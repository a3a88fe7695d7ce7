import { useRef, useState } from 'preact/hooks'
import { ApiError, type RoomPreview, rooms as roomsApi } from '../api.js'
import { errorText, t } from '../i18n/index.js'
import { nameFromInput } from '../room-names.js'
import { focusOn, valueOf } from '../ui/field.js'

/** Words for the refusals of a lookup or a join by name. */
function describe (err: unknown, name: string): string {
  if (!(err instanceof ApiError)) return errorText(err)
  switch (err.code) {
    case 'ROOM_NAME_NOT_FOUND': return t('joinRoom.notFound', { name })
    case 'ROOM_BANNED': return t('joinRoom.banned', { name })
    case 'ROOM_CLOSED': return t('joinRoom.closed', { name })
    default: return t('joinRoom.failed', { name, why: errorText(err) })
  }
}

/**
 * "Join a room": the user types the name their companion gave them (or pastes its `/r/<name>` link),
 * sees what it is (the film, who hosts it) and joins it.
 */
export function JoinRoomBox ({ navigate }: { navigate: (path: string) => void }) {
  const [error, setError] = useState<(() => string) | null>(null)
  const [preview, setPreview] = useState<RoomPreview | null>(null)
  const [busy, setBusy] = useState(false)
  const asked = useRef(0)
  const fail = (words: () => string) => { setPreview(null); setError(() => words) }

  const find = (event: Event) => {
    event.preventDefault()
    setError(null)
    setPreview(null)
    const name = nameFromInput(valueOf('join-name'))
    if (!name) return fail(() => t('joinRoom.empty'))
    const mine = ++asked.current
    setBusy(true)
    roomsApi.byName(name).then(({ room }) => {
      if (mine !== asked.current) return
      setPreview(room)
      // The Join button is drawn by then (the next frame): it takes the focus.
      requestAnimationFrame(() => focusOn('join-go'))
    }, (err: unknown) => { if (mine === asked.current) fail(() => describe(err, name)) })
      .finally(() => setBusy(false))
  }
  const join = (room: RoomPreview) => {
    setBusy(true)
    roomsApi.joinByName(room.name).then(({ room: joined }) => navigate(`/rooms/${joined.id}`), (err: unknown) => {
      setBusy(false)
      fail(() => describe(err, room.name))
      focusOn('join-name')
    })
  }
  return (
    <section id='join-room' class='card stack' aria-labelledby='join-title'>
      <h2 id='join-title'>{t('joinRoom.title')}</h2>
      <p class='muted small'>{t('joinRoom.intro')}</p>
      <form class='inline' noValidate onSubmit={find}>
        <label for='join-name'>{t('joinRoom.name')}</label>
        <input
          id='join-name' name='room' required autocomplete='off' autocapitalize='none' spellcheck={false}
          placeholder={t('createRoom.placeholder')} aria-describedby='join-error' aria-invalid={error ? 'true' : undefined}
          onInput={() => { if (error) setError(null) }}
        />
        <button type='submit' disabled={busy && !preview}>{t('joinRoom.find')}</button>
      </form>
      <p id='join-error' class='error' role='alert'>{error?.()}</p>
      <div id='join-preview' role='status'>
        {preview && (
          <div class='room-preview'>
            {preview.film.posterUrl && <img class='preview-poster' src={preview.film.posterUrl} alt='' width={96} height={54} />}
            <p><strong>{preview.film.title}</strong><br /><span class='muted'>{t('joinRoom.hosts', { host: preview.hostName, name: preview.name })}</span></p>
            <button id='join-go' type='button' class='primary' disabled={busy} onClick={() => join(preview)}>{t('joinRoom.join', { name: preview.name })}</button>
          </div>
        )}
      </div>
    </section>
  )
}
