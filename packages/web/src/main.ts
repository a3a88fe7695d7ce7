import './style.css'
import { loadWebConfig, setUnauthorizedHandler, type WebConfig } from './api.js'
import { h, replaceChildren } from './dom.js'
import { setFlash } from './flash.js'
import { followUser } from './live.js'
import { renderCatalog } from './pages/catalog.js'
import { renderFriends } from './pages/friends.js'
import { renderMatches } from './pages/matches.js'
import { renderProfile } from './pages/profile.js'
import { renderSignIn } from './pages/sign-in.js'
import { renderRoom } from './room/room-page.js'
import { linkHandler, navigate, setRenderer } from './router.js'
import { loadSession, onSessionChange, restoreSession } from './session.js'

/** What a page needs from the app; a page returns a function that tears it down (sockets, timers). */
export interface PageContext { root: HTMLElement, config: WebConfig, navigate: (path: string, replace?: boolean) => void }
type Cleanup = (() => void) | void

const root = document.getElementById('app') as HTMLElement
let cleanup: Cleanup
let config: WebConfig

const PAGES: Record<string, (ctx: PageContext) => Cleanup> = {
  '/': renderCatalog,
  '/catalog': renderCatalog,
  '/profile': renderProfile,
  '/friends': renderFriends,
  '/matches': renderMatches
}

function render () {
  if (typeof cleanup === 'function') cleanup()
  cleanup = undefined
  const ctx: PageContext = { root, config, navigate }
  const { pathname, search } = location
  const session = loadSession()
  followUser(session, config.realtimeUrl, (invitation) => navigate(`/rooms/${invitation.roomId}?code=${encodeURIComponent(invitation.inviteCode)}`))
  if (pathname === '/sign-in') {
    cleanup = renderSignIn(ctx, new URLSearchParams(search).get('next'))
    return
  }
  // Every other page needs a user: come back here after signing in (the invite link flow).
  if (!session) return navigate(`/sign-in?next=${encodeURIComponent(pathname + search)}`, true)
  const room = /^\/rooms\/([^/]+)$/.exec(pathname)
  if (room) {
    cleanup = renderRoom(ctx, decodeURIComponent(room[1] as string), new URLSearchParams(search).get('code'))
    return
  }
  const page = PAGES[pathname]
  if (page) {
    cleanup = page(ctx)
    return
  }
  document.title = 'Not found · Watch Together'
  replaceChildren(root, h('main', { id: 'main', className: 'page narrow' },
    h('h1', {}, 'Page not found'),
    h('p', {}, h('a', { attrs: { href: '/' }, on: { click: linkHandler('/') } }, 'Back to the films'))))
}

const toSignIn = () => {
  if (location.pathname !== '/sign-in') navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, true)
}
setUnauthorizedHandler(toSignIn)
onSessionChange((session, change) => {
  if (!config) return
  if (change === 'expired') return toSignIn()
  if (change === 'signed-out') {
    // Signed out here (the header already moved on) or in another tab.
    followUser(null, config.realtimeUrl, () => {})
    if (location.pathname !== '/sign-in') { setFlash('You signed out.', true); navigate('/sign-in', true) }
    return
  }
  // Another tab signed in as someone else: this one follows.
  if (change === 'signed-in' && location.pathname !== '/sign-in') render()
  else followUser(session, config.realtimeUrl, (invitation) => navigate(`/rooms/${invitation.roomId}?code=${encodeURIComponent(invitation.inviteCode)}`))
})
setRenderer(render)
window.addEventListener('popstate', render)

Promise.all([loadWebConfig(), restoreSession()]).then(([loaded]) => {
  config = loaded
  render()
}, () => {})
