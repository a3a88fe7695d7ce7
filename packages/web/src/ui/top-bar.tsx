import { useEffect } from 'preact/hooks'
import { me } from '../api.js'
import { setFlash } from '../flash.js'
import { type Language, LANGUAGES, setLanguage, t } from '../i18n/index.js'
import { setTheme, type Theme, theme } from '../prefs.js'
import { linkHandler } from '../router.js'
import { loadSession, onSessionChange, signOut, updateSessionUser } from '../session.js'
import { useLanguage, useRerender } from './hooks.js'

const NAV: Array<[string, string]> = [['/', 'nav.films'], ['/matches', 'nav.matches'], ['/friends', 'nav.friends']]
const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ru: 'Русский' }

/** Language and theme, remembered in this browser; used in the top bar and in the room's tools. */
export function Preferences ({ idPrefix = 'pref' }: { idPrefix?: string }) {
  const lang = useLanguage()
  const rerender = useRerender()
  const current = theme()
  return (
    <div class='prefs'>
      <label class='visually-hidden' for={`${idPrefix}-lang`}>{t('prefs.language')}</label>
      <select id={`${idPrefix}-lang`} value={lang} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
        {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
      </select>
      <label class='visually-hidden' for={`${idPrefix}-theme`}>{t('prefs.theme')}</label>
      <select id={`${idPrefix}-theme`} value={current} onChange={(e) => { setTheme((e.currentTarget as HTMLSelectElement).value as Theme); rerender() }}>
        <option value='system'>{t('prefs.themeSystem')}</option>
        <option value='light'>{t('prefs.themeLight')}</option>
        <option value='dark'>{t('prefs.themeDark')}</option>
      </select>
    </div>
  )
}

/** The top bar: the product name (home link), the app's pages, language and theme, who is signed in, sign out. */
export function TopBar ({ compact = false }: { compact?: boolean }) {
  useLanguage()
  const rerender = useRerender()
  const session = loadSession()
  useEffect(() => onSessionChange(rerender), [])
  useEffect(() => {
    // Tokens from dev sign-in (or an Auth service) carry no handle or picture: ask room-api once.
    if (!session || session.user.avatarUrl !== undefined) return
    me.get().then(({ user }) => {
      if (loadSession()?.user.id === user.id) updateSessionUser({ name: user.displayName, handle: user.handle, avatarUrl: user.avatarUrl })
    }, () => {})
  }, [session?.user.id])
  const here = location.pathname === '/catalog' ? '/' : location.pathname
  return (
    <header class={`site-header${compact ? ' compact' : ''}`}>
      <a class='brand' href='/' onClick={linkHandler('/')}>🎬 {t('app.name')}</a>
      {session && (
        <nav class='site-nav' aria-label={t('nav.main')}>
          {NAV.map(([path, key]) => <a key={path} href={path} aria-current={here === path ? 'page' : undefined} onClick={linkHandler(path)}>{t(key)}</a>)}
        </nav>
      )}
      <Preferences />
      {session && (
        <div class='who'>
          <a
            class='me' href='/profile' onClick={linkHandler('/profile')} aria-current={here === '/profile' ? 'page' : undefined}
            title={session.user.handle ? t('nav.profileHandle', { handle: session.user.handle }) : t('nav.profile')}
          >
            {session.user.avatarUrl
              ? <img class='avatar small' src={session.user.avatarUrl} alt='' width={28} height={28} loading='lazy' decoding='async' />
              : <span class='avatar small empty' aria-hidden='true' />}
            <span class='me-name'>{session.user.name}</span>
          </a>
          <button type='button' class='link' onClick={() => { setFlash(t('nav.signedOut')); signOut().catch(() => {}) }}>{t('nav.signOut')}</button>
        </div>
      )}
    </header>
  )
}
