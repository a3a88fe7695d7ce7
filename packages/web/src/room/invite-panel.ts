import { h } from '../dom.js'
import type { RoomContext } from './room-page.js'

/** Copies `text`; falls back to selecting the field for Ctrl+C. */
function copyButton (id: string, label: string, field: HTMLInputElement, status: HTMLElement, done: string): HTMLButtonElement {
  return h('button', {
    id,
    ...(id === 'copy-invite' ? { className: 'primary' } : {}),
    attrs: { type: 'button' },
    on: {
      click: () => {
        const fallback = () => { field.select(); status.textContent = 'Select the link and copy it (Ctrl+C).' }
        if (!navigator.clipboard) return fallback()
        navigator.clipboard.writeText(field.value).then(() => { status.textContent = done }, fallback)
      }
    }
  }, label)
}

/**
 * The invite link (room-api's /r/<code> preview page), a copy button and a Telegram share link; for a
 * named room also its name and /r/<name> link, which a companion can type (or enter under "Join a room").
 */
export function invitePanel (rc: RoomContext): HTMLElement {
  const link = `${location.origin}/r/${rc.room.inviteCode}`
  const field = h('input', { id: 'invite-link', attrs: { readonly: true, value: link } })
  const copied = h('span', { className: 'muted small', attrs: { role: 'status' } })
  const copy = copyButton('copy-invite', 'Copy invite link', field, copied, 'Link copied.')
  const film = rc.films.get(rc.room.film.id)?.title ?? rc.room.film.title
  const telegram = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(`Watch ${film} with me`)}`

  const named = rc.room.name ? nameInvite(rc.room.name, copied) : []

  return h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'invite-title' } },
    h('h2', { id: 'invite-title' }, 'Invite friends'),
    h('label', { attrs: { for: 'invite-link' } }, 'Invite link'),
    field,
    h('div', { className: 'actions' }, copy,
      h('a', { id: 'share-telegram', className: 'button', attrs: { href: telegram, target: '_blank', rel: 'noopener noreferrer' } }, 'Share in Telegram')),
    ...named,
    copied)
}

/** The room's name and its /r/<name> link with a copy button. */
function nameInvite (name: string, status: HTMLElement): HTMLElement[] {
  const field = h('input', { id: 'name-link', attrs: { readonly: true, value: `${location.origin}/r/${encodeURIComponent(name)}` } })
  return [
    h('p', { id: 'room-name-line' }, 'Room name: ', h('strong', {}, name),
      h('span', { className: 'muted' }, ' — your companion can type it under “Join a room”.')),
    h('label', { attrs: { for: 'name-link' } }, 'Link by name'),
    field,
    h('div', { className: 'actions' }, copyButton('copy-name-link', 'Copy link by name', field, status, 'Link by name copied.'))
  ]
}
