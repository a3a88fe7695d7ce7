import { h } from '../dom.js'
import type { RoomContext } from './room-page.js'

/** The invite link (room-api's /r/<code> preview page), a copy button and a Telegram share link. */
export function invitePanel (rc: RoomContext): HTMLElement {
  const link = `${location.origin}/r/${rc.room.inviteCode}`
  const field = h('input', { id: 'invite-link', attrs: { readonly: true, value: link } })
  const copied = h('span', { className: 'muted small', attrs: { role: 'status' } })
  const copy = h('button', {
    id: 'copy-invite',
    className: 'primary',
    attrs: { type: 'button' },
    on: {
      click: () => {
        const fallback = () => { field.select(); copied.textContent = 'Select the link and copy it (Ctrl+C).' }
        if (!navigator.clipboard) return fallback()
        navigator.clipboard.writeText(link).then(() => { copied.textContent = 'Link copied.' }, fallback)
      }
    }
  }, 'Copy invite link')
  const film = rc.films.get(rc.room.film.id)?.title ?? rc.room.film.title
  const telegram = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(`Watch ${film} with me`)}`
  return h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'invite-title' } },
    h('h2', { id: 'invite-title' }, 'Invite friends'),
    h('label', { attrs: { for: 'invite-link' } }, 'Invite link'),
    field,
    h('div', { className: 'actions' }, copy,
      h('a', { id: 'share-telegram', className: 'button', attrs: { href: telegram, target: '_blank', rel: 'noopener noreferrer' } }, 'Share in Telegram')),
    copied)
}
