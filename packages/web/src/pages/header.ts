import { h } from '../dom.js'
import { linkHandler } from '../router.js'
import { clearSession, loadSession } from '../session.js'

/** The top bar: the product name (home link), who is signed in, sign out. */
export function siteHeader (navigate: (path: string) => void, ...extra: HTMLElement[]): HTMLElement {
  const session = loadSession()
  return h('header', { className: 'site-header' },
    h('a', { className: 'brand', attrs: { href: '/' }, on: { click: linkHandler('/') } }, '🎬 Watch Together'),
    ...extra,
    session
      ? h('div', { className: 'who' },
        h('span', { attrs: { title: `Your user id: ${session.user.id}` } }, session.user.name),
        h('button', {
          className: 'link',
          attrs: { type: 'button' },
          on: { click: () => { clearSession(); navigate('/sign-in') } }
        }, 'Sign out'))
      : null)
}
