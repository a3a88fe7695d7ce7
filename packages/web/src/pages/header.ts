import { me } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { setFlash } from '../flash.js'
import { linkHandler } from '../router.js'
import { loadSession, onSessionChange, type Session, signOut, updateSessionUser } from '../session.js'

const NAV: Array<[string, string]> = [['/', 'Films'], ['/matches', 'Matches'], ['/friends', 'Friends']]

/** A round avatar picture (room-api's upload or initials); decorative next to a name. */
export function avatar (url: string | undefined, size: 'small' | 'medium' | 'large' = 'small', alt = ''): HTMLElement {
  if (!url) return h('span', { className: `avatar ${size} empty`, attrs: { 'aria-hidden': 'true' } })
  return h('img', { className: `avatar ${size}`, attrs: { src: url, alt, width: size === 'large' ? '96' : size === 'medium' ? '40' : '28', height: size === 'large' ? '96' : size === 'medium' ? '40' : '28', loading: 'lazy', decoding: 'async' } })
}

/** The top bar: the product name (home link), the app's pages, who is signed in (their profile), sign out. */
export function siteHeader (navigate: (path: string) => void, ...extra: HTMLElement[]): HTMLElement {
  const session = loadSession()
  const who = h('div', { className: 'who' })
  const here = location.pathname === '/catalog' ? '/' : location.pathname
  const nav = session
    ? h('nav', { className: 'site-nav', attrs: { 'aria-label': 'Main' } },
      ...NAV.map(([path, label]) => h('a', {
        attrs: { href: path, 'aria-current': here === path ? 'page' : undefined },
        on: { click: linkHandler(path) }
      }, label)))
    : null
  const header = h('header', { className: 'site-header' },
    h('a', { className: 'brand', attrs: { href: '/' }, on: { click: linkHandler('/') } }, '🎬 Watch Together'),
    nav, ...extra, who)

  const draw = (s: Session | null) => {
    if (!s) return replaceChildren(who)
    replaceChildren(who,
      h('a', {
        className: 'me',
        attrs: { href: '/profile', title: s.user.handle ? `@${s.user.handle} · your profile` : 'Your profile', 'aria-current': here === '/profile' ? 'page' : undefined },
        on: { click: linkHandler('/profile') }
      }, avatar(s.user.avatarUrl), h('span', { className: 'me-name' }, s.user.name)),
      h('button', {
        className: 'link',
        attrs: { type: 'button' },
        on: {
          click: () => {
            // The app moves to the sign-in page when the session ends (main.ts), in every tab.
            setFlash('You signed out.')
            signOut().catch(() => {})
          }
        }
      }, 'Sign out'))
  }
  draw(session)
  // The name or picture changes (profile, another tab): the header follows while it is on the page.
  const off = onSessionChange((s) => {
    if (!header.isConnected) return off()
    draw(s)
  })
  // Tokens from dev sign-in (or an Auth service) carry no handle or picture: ask room-api once.
  if (session && session.user.avatarUrl === undefined) {
    me.get().then(({ user }) => {
      if (loadSession()?.user.id === user.id) updateSessionUser({ name: user.displayName, handle: user.handle, avatarUrl: user.avatarUrl })
    }, () => {})
  }
  return header
}
