import { type FriendsChanged, type Invitation, UserChannel } from '@watch-together/client'
import { me } from './api.js'
import { h } from './dom.js'
import type { Session } from './session.js'
import { t } from './i18n/index.js'

/**
 * The signed-in person's own realtime channel, open on every page (client's UserChannel over
 * realtime's /users/ws, a fresh ticket from room-api for every (re)connect): invitations become
 * toasts ("Vasily invites you to watch Sintel — Join"), friend changes are passed to whoever listens
 * (the friends and matches pages refresh).
 */

const MAX_TOASTS = 3
let channel: UserChannel | null = null
let channelUser: string | null = null
const friendListeners = new Set<(change: FriendsChanged) => void>()

/** Listens to friend changes (requests, acceptances, removals, blocks); returns the function that stops it. */
export function onFriendsChanged (fn: (change: FriendsChanged) => void): () => void {
  friendListeners.add(fn)
  return () => { friendListeners.delete(fn) }
}

/**
 * Follows the session: opens the channel for the signed-in user, closes it on sign-out, reopens it
 * for another user. `join` goes into the invitation's room.
 */
export function followUser (session: Session | null, realtimeUrl: string, join: (invitation: Invitation) => void) {
  if (session?.user.id === channelUser && channel) return
  channel?.close()
  channel = null
  channelUser = null
  document.getElementById('toasts')?.replaceChildren()
  if (!session) return
  channelUser = session.user.id
  const opened = new UserChannel({ url: realtimeUrl, ticket: async () => (await me.ticket()).ticket })
  opened.on('invitation', (invitation) => showInvitation(invitation, join))
  opened.on('friendsChanged', (change) => { for (const fn of [...friendListeners]) fn(change) })
  opened.on('error', () => {})
  channel = opened
  opened.connect().catch(() => {})
}

/** The live region toasts go in: outside #app, so page changes keep them. */
function toastRegion (): HTMLElement {
  let region = document.getElementById('toasts')
  if (!region) {
    region = h('section', { id: 'toasts', className: 'toasts', attrs: { 'aria-label': t('toast.label'), 'aria-live': 'polite' } })
    document.body.append(region)
  }
  return region
}

/** The words of an invitation: "Vasily invites you to watch Sintel" (and the room's name when it has one). */
export function invitationText (invitation: Pick<Invitation, 'from' | 'film' | 'roomName'>): string {
  return invitation.roomName
    ? t('toast.invitesNamed', { name: invitation.from.name, title: invitation.film.title, room: invitation.roomName })
    : t('toast.invites', { name: invitation.from.name, title: invitation.film.title })
}

function showInvitation (invitation: Invitation, join: (invitation: Invitation) => void) {
  // Already in that room: nothing to offer.
  if (location.pathname === `/rooms/${invitation.roomId}`) return
  const region = toastRegion()
  region.querySelector(`[data-room-id="${CSS.escape(invitation.roomId)}"]`)?.remove()
  const close = () => {
    toast.remove()
  }
  const text = invitationText(invitation)
  const toast = h('div', { className: 'toast invitation', attrs: { role: 'group', 'aria-label': text, 'data-room-id': invitation.roomId } },
    h('img', { className: 'avatar medium', attrs: { src: `/api/v1/users/${encodeURIComponent(invitation.from.userId)}/avatar`, alt: '', width: '40', height: '40' } }),
    h('p', {}, text),
    h('div', { className: 'actions' },
      h('button', { className: 'primary', attrs: { type: 'button' }, on: { click: () => { close(); join(invitation) } } }, t('toast.join')),
      h('button', { attrs: { type: 'button', 'aria-label': t('toast.dismissLabel', { text }) }, on: { click: close } }, t('toast.dismiss'))))
  region.append(toast)
  while (region.children.length > MAX_TOASTS) region.firstElementChild?.remove()
}
