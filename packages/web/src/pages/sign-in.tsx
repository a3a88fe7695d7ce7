import { useEffect, useRef, useState } from 'preact/hooks'
import { endedWords } from '../account-words.js'
import { auth, type Providers, type WebConfig } from '../api.js'
import { takeFlash } from '../flash.js'
import { t } from '../i18n/index.js'
import { accountSession, saveSession, type SessionAnswer, takeEndReason } from '../session.js'
import { focusOn, setValue } from '../ui/field.js'
import { useLanguage } from '../ui/hooks.js'
import { TopBar } from '../ui/top-bar.js'
import { SignInForm, SignUpForm } from './sign-in-forms.js'
import { DevBox, TelegramBox, TokenBox } from './sign-in-others.js'

/**
 * Sign in or create an account: email and password (display name and an optional handle to create one),
 * Telegram's Login Widget when room-api has a bot, and development's sign-in by name when room-api offers it.
 * A token from an external Auth service can be pasted when accounts are off. Afterwards the user goes where
 * they were headed — an invite link's room (`?next=`).
 */
export function SignInPage ({ config, next, navigate }: { config: WebConfig, next: string | null, navigate: (path: string, replace?: boolean) => void }) {
  useLanguage()
  // Only in-app paths: an absolute URL in ?next= would make this an open redirect.
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/'
  const invited = target.startsWith('/rooms/')
  document.title = t('app.title', { page: t(invited ? 'signIn.titleInvited' : 'signIn.title') })
  // Said once: a flash in words already, or why the last session ended (a code, put in words each render).
  const [flash] = useState(takeFlash)
  const [ended] = useState(takeEndReason)
  const intro = flash || endedWords(ended)
  const [providers, setProviders] = useState<Providers | null>(null)
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in')
  const focusNext = useRef<string | null>(null)
  const alive = useRef(true)
  useEffect(() => () => { alive.current = false }, [])

  const enter = () => { if (alive.current) navigate(target, true) }
  const done = (answer: SessionAnswer) => {
    if (!alive.current) return
    saveSession(accountSession(answer))
    enter()
  }
  const show = (which: 'sign-in' | 'sign-up', email?: string) => {
    if (email !== undefined) { setValue('sign-in-email', email); focusNext.current = 'sign-in-password' }
    setMode(which)
  }

  // What this server offers decides the rest (and whether password accounts exist at all).
  useEffect(() => {
    auth.providers().catch((): Providers => ({ password: false, telegram: null, devSignIn: config.devSignIn })).then((p) => {
      if (alive.current) setProviders(p)
    }).catch(() => {})
  }, [])
  useEffect(() => {
    if (!providers) return
    const id = focusNext.current ?? (providers.password ? (mode === 'sign-in' ? 'sign-in-email' : 'sign-up-name') : null)
    focusNext.current = null
    if (id) focusOn(id)
    else document.querySelector<HTMLElement>('main .card input, main .card textarea')?.focus()
  }, [mode, providers])

  return (
    <>
      <TopBar />
      <main id='main' class='page narrow sign-in'>
        <h1>{t(invited ? 'signIn.headingInvited' : 'signIn.heading')}</h1>
        {invited && <p>{t('signIn.invited')}</p>}
        {intro && <p class='notice' role='status'>{intro}</p>}
        <section id='accounts' class='card' hidden={!providers?.password}>
          <SignInForm hidden={mode !== 'sign-in'} done={done} show={show} />
          <SignUpForm hidden={mode !== 'sign-up'} done={done} show={show} />
        </section>
        {providers && (
          <div class='stack'>
            {providers.telegram && <TelegramBox botName={providers.telegram.botName} done={done} />}
            {providers.devSignIn && <DevBox enter={enter} />}
            {!providers.password && <TokenBox enter={enter} folded={providers.devSignIn} />}
          </div>
        )}
      </main>
    </>
  )
}
