import './style.css'
import { loadWebConfig, setUnauthorizedHandler, type WebConfig } from './api.js'
import { h, replaceChildren } from './dom.js'
import { renderCatalog } from './pages/catalog.js'
import { renderSignIn } from './pages/sign-in.js'
import { renderRoom } from './room/room-page.js'
import { linkHandler, navigate, setRenderer } from './router.js'
import { loadSession } from './session.js'

/** What a page needs from the app; a page returns a function that tears it down (sockets, timers). */
export interface PageContext { root: HTMLElement, config: WebConfig, navigate: (path: string, replace?: boolean) => void }
type Cleanup = (() => void) | void

const root = document.getElementById('app') as HTMLElement
let cleanup: Cleanup
let config: WebConfig

function render () {
  if (typeof cleanup === 'function') cleanup()
  cleanup = undefined
  const ctx: PageContext = { root, config, navigate }
  const { pathname, search } = location
  const session = loadSession()
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
  if (pathname === '/' || pathname === '/catalog') {
    cleanup = renderCatalog(ctx)
    return
  }
  document.title = 'Not found · Watch Together'
  replaceChildren(root, h('main', { id: 'main', className: 'page narrow' },
    h('h1', {}, 'Page not found'),
    h('p', {}, h('a', { attrs: { href: '/' }, on: { click: linkHandler('/') } }, 'Back to the films'))))
}

setUnauthorizedHandler(() => {
  if (location.pathname !== '/sign-in') navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, true)
})
setRenderer(render)
window.addEventListener('popstate', render)

loadWebConfig().then((loaded) => {
  config = loaded
  render()
}, () => {})
