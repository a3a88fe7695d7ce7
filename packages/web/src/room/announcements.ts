import type { Announcement } from '@watch-together/client'
import { h } from '../dom.js'
import type { RoomContext } from './room-page.js'

/** Banners kept at once; an older one goes when a newer arrives. */
const MAX_SHOWN = 3

/**
 * Operators' announcements (`announcement.sent`, to this room or to everyone) as banners above the
 * player, in the page's flow (they never cover the video). A polite live region reads each one out;
 * each has its own Dismiss button. `focusAfter` is where focus goes when the last one is dismissed.
 */
export function announcementsBar (rc: RoomContext, focusAfter: () => HTMLElement | null): HTMLElement {
  const bar = h('div', { id: 'announcements', className: 'announcements', attrs: { role: 'status', 'aria-label': 'Announcements' } })
  let count = 0

  const dismissButtons = () => Array.from(bar.querySelectorAll<HTMLButtonElement>('.announcement button'))

  const show = ({ text, scope, seq }: Announcement) => {
    if (bar.querySelector(`[data-seq="${seq}"]`)) return
    const id = `announcement-${++count}`
    const dismiss = h('button', {
      className: 'dismiss',
      attrs: { type: 'button', 'aria-describedby': id },
      on: {
        click: () => {
          const buttons = dismissButtons()
          const next = buttons[buttons.indexOf(dismiss) + 1] ?? buttons[buttons.indexOf(dismiss) - 1]
          const hadFocus = document.activeElement === dismiss
          banner.remove()
          if (hadFocus) (next ?? focusAfter())?.focus()
        }
      }
    }, 'Dismiss', h('span', { className: 'visually-hidden' }, ' announcement'))
    const banner = h('div', { className: 'announcement', attrs: { 'data-scope': scope, 'data-seq': String(seq) } },
      h('span', { className: 'announcement-icon', attrs: { 'aria-hidden': 'true' } }, '📣'),
      h('p', { id }, h('strong', {}, scope === 'all' ? 'Announcement to everyone: ' : 'Announcement: '), text),
      dismiss)
    bar.append(banner)
    while (bar.children.length > MAX_SHOWN) bar.firstElementChild?.remove()
  }
  rc.client.on('announcement', show)
  return bar
}
