import type { Film } from '@watch-together/protocol'
import { ApiError, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { PageContext } from '../main.js'
import { nameProblem, nameSuggestion, sentence } from '../room-names.js'

/** The last room this browser created, so "you already host a room" can offer the way back. */
export const LAST_ROOM_KEY = 'wt.lastRoom'

/**
 * "Watch <film> together": a dialog that offers an optional room name (one people can type, `/r/<name>`)
 * or, left empty, a room with a generated id. room-api checks the name; its refusals are shown next to
 * the field in plain words, a taken name with room-api's free suggestion one click away.
 */
export function openCreateRoom (ctx: PageContext, film: Film, opener: HTMLElement) {
  const input = h('input', {
    id: 'room-name',
    attrs: {
      name: 'name',
      maxlength: '40',
      autocomplete: 'off',
      autocapitalize: 'none',
      spellcheck: 'false',
      placeholder: 'e.g. movie-night',
      'aria-describedby': 'room-name-hint room-name-error'
    }
  })
  const error = h('div', { id: 'room-name-error', className: 'field-error', attrs: { role: 'alert' } })
  const create = h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Create room')
  const cancel = h('button', { attrs: { type: 'button' }, on: { click: () => dialog.close() } }, 'Cancel')

  const showError = (...content: Array<Node | string>) => {
    replaceChildren(error, ...content)
    input.setAttribute('aria-invalid', 'true')
  }
  const clearError = () => { replaceChildren(error); input.removeAttribute('aria-invalid') }
  /** A one-click fix: fill in the name and create the room with it. */
  const offer = (name: string) => h('button', {
    className: 'suggestion',
    attrs: { type: 'button' },
    on: { click: () => { input.value = name; submit() } }
  }, `Create it as “${name}”`)

  const submit = () => {
    const name = input.value.trim()
    clearError()
    create.disabled = true
    roomsApi.create(film.id, name || undefined).then(({ room, link }) => {
      localStorage.setItem(LAST_ROOM_KEY, JSON.stringify({ roomId: room.id, link }))
      dialog.close()
      ctx.navigate(`/rooms/${room.id}`)
    }, (err: unknown) => {
      create.disabled = false
      input.focus()
      if (!(err instanceof ApiError)) return showError(`Could not create the room: ${(err as Error).message}`)
      if (err.code === 'ROOM_NAME_TAKEN') {
        const suggestion = err.about('name')?.suggestion
        return showError(h('p', {}, `“${name.toLowerCase()}” is already taken by another open room.`),
          suggestion ? offer(suggestion) : 'Please try another name.')
      }
      if (err.code === 'VALIDATION_FAILED' && err.about('name')) {
        const fix = nameSuggestion(name)
        return showError(h('p', {}, nameProblem(name) ?? sentence(err.about('name')?.message ?? err.message)), fix ? offer(fix) : '')
      }
      if (err.code === 'ROOM_ALREADY_ACTIVE') return showError(alreadyHosting(ctx, () => dialog.close()))
      showError(`Could not create the room: ${sentence(err.message)}`)
    }).catch(() => {})
  }

  const form = h('form', {
    className: 'stack',
    attrs: { novalidate: true },
    on: { submit: (event) => { event.preventDefault(); submit() } }
  },
  h('h2', { id: 'create-room-title' }, `Watch ${film.title} together`),
  h('p', {}, 'Think up your own unique room name that is convenient for you and your companion to type, or press Create and an id is generated.'),
  h('label', { attrs: { for: 'room-name' } }, 'Room name ', h('span', { className: 'muted' }, '(optional)')),
  input,
  h('p', { id: 'room-name-hint', className: 'muted small' },
    '3–40 latin letters, digits and hyphens, like movie-night. Your companion types it under “Join a room” to come in.'),
  error,
  h('div', { className: 'actions' }, create, cancel))

  const dialog = h('dialog', { id: 'create-room', className: 'card', attrs: { 'aria-labelledby': 'create-room-title' } }, form)
  input.addEventListener('input', () => { if (error.childNodes.length > 0) clearError() })
  dialog.addEventListener('close', () => {
    dialog.remove()
    if (opener.isConnected) opener.focus()
  })
  document.body.append(dialog)
  dialog.showModal()
  input.focus()
}

export function alreadyHosting (ctx: PageContext, before: () => void = () => {}): HTMLElement {
  const last = JSON.parse(localStorage.getItem(LAST_ROOM_KEY) ?? 'null') as { roomId: string } | null
  return h('span', {}, 'You already host an active room. ',
    last
      ? h('a', { attrs: { href: `/rooms/${last.roomId}` }, on: { click: (e) => { e.preventDefault(); before(); ctx.navigate(`/rooms/${last.roomId}`) } } }, 'Go back to it')
      : 'Close it first.')
}
