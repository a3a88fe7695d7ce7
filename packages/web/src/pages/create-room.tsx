import type { Film } from '@watch-together/protocol'
import { useState } from 'preact/hooks'
import { ApiError, rooms as roomsApi } from '../api.js'
import { errorText, t } from '../i18n/index.js'
import { nameProblem, nameSuggestion } from '../room-names.js'
import { focusOn, setValue, valueOf } from '../ui/field.js'
import { Modal } from '../ui/modal.js'
import { AlreadyHosting, LAST_ROOM_KEY } from './already-hosting.js'

/** What the dialog says is wrong: words, one click that would work, or the way back to the room already hosted. */
type Refusal = { text: string, fix?: string, alt?: string } | { hosting: true }

/**
 * "Watch <film> together": a dialog that offers an optional room name (one people can type, `/r/<name>`)
 * or, left empty, a room with a generated id. room-api checks the name; its refusals are shown next to
 * the field in plain words, a taken name with room-api's free suggestion one click away.
 */
export function CreateRoomDialog ({ film, navigate, onClose }: { film: Film, navigate: (path: string) => void, onClose: () => void }) {
  const [refusal, setRefusal] = useState<Refusal | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = () => {
    const name = valueOf('room-name').trim()
    setRefusal(null)
    setBusy(true)
    roomsApi.create(film.id, name || undefined).then(({ room, link }) => {
      localStorage.setItem(LAST_ROOM_KEY, JSON.stringify({ roomId: room.id, link }))
      onClose()
      navigate(`/rooms/${room.id}`)
    }, (err: unknown) => {
      setBusy(false)
      focusOn('room-name')
      if (!(err instanceof ApiError)) return setRefusal({ text: t('createRoom.failed', { why: errorText(err) }) })
      if (err.code === 'ROOM_NAME_TAKEN') {
        const suggestion = err.about('name')?.suggestion
        return setRefusal({ text: t('createRoom.taken', { name: name.toLowerCase() }), ...(suggestion ? { fix: suggestion } : { alt: t('createRoom.another') }) })
      }
      if (err.code === 'VALIDATION_FAILED' && err.about('name')) {
        const fix = nameSuggestion(name)
        return setRefusal({ text: nameProblem(name) ?? errorText(err), ...(fix ? { fix } : {}) })
      }
      if (err.code === 'ROOM_ALREADY_ACTIVE') return setRefusal({ hosting: true })
      setRefusal({ text: t('createRoom.failed', { why: errorText(err) }) })
    })
  }
  return (
    <Modal id='create-room' labelledBy='create-room-title' onClose={onClose}>
      <form class='stack' noValidate onSubmit={(e) => { e.preventDefault(); submit() }}>
        <h2 id='create-room-title'>{t('catalog.together', { title: film.title })}</h2>
        <p>{t('createRoom.intro')}</p>
        <label for='room-name'>{t('createRoom.name')} <span class='muted'>{t('createRoom.optional')}</span></label>
        <input
          id='room-name' name='name' maxLength={40} autocomplete='off' autocapitalize='none' spellcheck={false} autoFocus
          placeholder={t('createRoom.placeholder')} aria-describedby='room-name-hint room-name-error' aria-invalid={refusal ? 'true' : undefined}
          onInput={() => { if (refusal) setRefusal(null) }}
        />
        <p id='room-name-hint' class='muted small'>{t('createRoom.hint')}</p>
        <div id='room-name-error' class='field-error' role='alert'>
          {refusal && ('hosting' in refusal
            ? <AlreadyHosting navigate={(path) => { onClose(); navigate(path) }} />
            : (
              <>
                <p>{refusal.text}</p>
                {refusal.fix && <button type='button' class='suggestion' onClick={() => { setValue('room-name', refusal.fix!); submit() }}>{t('createRoom.createAs', { name: refusal.fix })}</button>}
                {refusal.alt}
              </>
              ))}
        </div>
        <div class='actions'>
          <button type='submit' class='primary' disabled={busy}>{t('createRoom.create')}</button>
          <button type='button' onClick={onClose}>{t('common.cancel')}</button>
        </div>
      </form>
    </Modal>
  )
}
