import { ApiError, type RoomPreview, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { PageContext } from '../main.js'
import { nameFromInput, sentence } from '../room-names.js'

/** Words for the refusals of a lookup or a join by name. */
function describe (err: unknown, name: string): string {
  if (!(err instanceof ApiError)) return `Could not find the room: ${(err as Error).message}`
  switch (err.code) {
    case 'ROOM_NAME_NOT_FOUND': return `No open room is called “${name}”. Check the spelling with your companion (the room may also have closed).`
    case 'ROOM_BANNED': return `The host of “${name}” removed you from that room and banned you: you cannot join it again.`
    case 'ROOM_CLOSED': return `“${name}” has just closed.`
    default: return `Could not join “${name}”: ${sentence(err.message)}`
  }
}

/**
 * "Join a room": the user types the name their companion gave them (or pastes its `/r/<name>` link),
 * sees what it is (the film, who hosts it) and joins it.
 */
export function joinRoomBox (ctx: PageContext): HTMLElement {
  const input = h('input', {
    id: 'join-name',
    attrs: { name: 'room', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: 'e.g. movie-night', 'aria-describedby': 'join-error' }
  })
  const find = h('button', { attrs: { type: 'submit' } }, 'Find')
  const error = h('p', { id: 'join-error', className: 'error', attrs: { role: 'alert' } })
  const preview = h('div', { id: 'join-preview', attrs: { role: 'status' } })
  let asked = 0

  const fail = (message: string) => {
    error.textContent = message
    input.setAttribute('aria-invalid', 'true')
  }
  const reset = () => {
    error.textContent = ''
    input.removeAttribute('aria-invalid')
    replaceChildren(preview)
  }

  const show = (room: RoomPreview) => {
    const join = h('button', {
      className: 'primary',
      attrs: { type: 'button' },
      on: {
        click: () => {
          join.disabled = true
          roomsApi.joinByName(room.name).then(({ room: joined }) => ctx.navigate(`/rooms/${joined.id}`), (err: unknown) => {
            join.disabled = false
            replaceChildren(preview)
            fail(describe(err, room.name))
            input.focus()
          })
        }
      }
    }, `Join “${room.name}”`)
    const poster = room.film.posterUrl
      ? h('img', { className: 'preview-poster', attrs: { src: room.film.posterUrl, alt: '', width: '96', height: '54' } })
      : null
    replaceChildren(preview, h('div', { className: 'room-preview' },
      poster,
      h('p', {}, h('strong', {}, room.film.title), h('br', {}), h('span', { className: 'muted' }, `${room.hostName} hosts “${room.name}”`)),
      join))
    join.focus()
  }

  const form = h('form', {
    className: 'inline',
    attrs: { novalidate: true },
    on: {
      submit: (event) => {
        event.preventDefault()
        reset()
        const name = nameFromInput(input.value)
        if (!name) return fail('Type the room name your companion gave you.')
        const mine = ++asked
        find.disabled = true
        roomsApi.byName(name).then(({ room }) => { if (mine === asked) show(room) },
          (err: unknown) => { if (mine === asked) fail(describe(err, name)) })
          .finally(() => { find.disabled = false })
      }
    }
  },
  h('label', { attrs: { for: 'join-name' } }, 'Room name'), input, find)
  input.addEventListener('input', () => { if (error.textContent) { error.textContent = ''; input.removeAttribute('aria-invalid') } })

  return h('section', { id: 'join-room', className: 'card stack', attrs: { 'aria-labelledby': 'join-title' } },
    h('h2', { id: 'join-title' }, 'Join a room'),
    h('p', { className: 'muted small' }, 'Got a room name from a friend? Type it here.'),
    form, error, preview)
}
