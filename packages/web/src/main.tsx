import './style.css'
import { type ComponentChild, Fragment, render as renderPreact } from 'preact'
import { loadWebConfig, setUnauthorizedHandler, type WebConfig } from './api.js'
import { setFlash } from './flash.js'
import { language, onLanguageChange, t } from './i18n/index.js'
import { followUser } from './live.js'
import { CatalogPage } from './pages/catalog.js'
import { FriendsPage } from './pages/friends.js'
import { MatchesPage } from './pages/matches.js'
import { NotFound } from './pages/not-found.js'
import { ProfilePage } from './pages/profile.js'
import { SignInPage } from './pages/sign-in.js'
import { applyTheme } from './prefs.js'
import { RoomPage } from './room/room-page.js'
import { navigate, setRenderer } from './router.js'
import { loadSession, onSessionChange, restoreSession } from './session.js'

const root = document.getElementById('app') as HTMLElement
let config: WebConfig

/** The pages of a signed-in user, by path (keyed, so moving between pages always starts a fresh one). */
const PAGES: Record<string, () => ComponentChild> = {
  '/': () => <CatalogPage key='catalog' navigate={navigate} />,
  '/catalog': () => <CatalogPage key='catalog' navigate={navigate} />,
  '/profile': () => <ProfilePage key='profile' />,
  '/friends': () => <FriendsPage key='friends' />,
  '/matches': () => <MatchesPage key='matches' navigate={navigate} />
}

function show (vnode: ComponentChild) {
  renderPreact(vnode, root)
}

function render () {
  const { pathname, search } = location
  const session = loadSession()
  followUser(session, config.realtimeUrl, (invitation) => navigate(`/rooms/${invitation.roomId}?code=${encodeURIComponent(invitation.inviteCode)}`))
  if (pathname === '/sign-in') return show(<SignInPage key={`sign-in ${search}`} config={config} next={new URLSearchParams(search).get('next')} navigate={navigate} />)
  // Every other page needs a user: come back here after signing in (the invite link flow).
  if (!session) return navigate(`/sign-in?next=${encodeURIComponent(pathname + search)}`, true)
  const room = /^\/rooms\/([^/]+)$/.exec(pathname)
  if (room) {
    const roomId = decodeURIComponent(room[1] as string)
    const code = new URLSearchParams(search).get('code')
    return show(<RoomPage key={`${roomId} ${code ?? ''}`} roomId={roomId} code={code} realtimeUrl={config.realtimeUrl} navigate={navigate} />)
  }
  // Keyed by the user too: another account signed in (in another tab) starts every page afresh.
  const page = PAGES[pathname]
  if (page) return show(<Fragment key={session.user.id}>{page()}</Fragment>)
  show(<NotFound />)
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
    if (location.pathname !== '/sign-in') { setFlash(t('nav.signedOut'), true); navigate('/sign-in', true) }
    return
  }
  // Another tab signed in as someone else: this one follows.
  if (change === 'signed-in' && location.pathname !== '/sign-in') render()
  else followUser(session, config.realtimeUrl, (invitation) => navigate(`/rooms/${invitation.roomId}?code=${encodeURIComponent(invitation.inviteCode)}`))
})
setRenderer(render)
window.addEventListener('popstate', render)
// The pages follow the language by themselves (useLanguage); the document says which it is.
onLanguageChange(() => { document.documentElement.lang = language() })
applyTheme()
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme())
document.documentElement.lang = language()

Promise.all([loadWebConfig(), restoreSession()]).then(([loaded]) => {
  config = loaded
  render()
}, () => {})
