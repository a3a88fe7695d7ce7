import { useEffect, useRef, useState } from 'preact/hooks'
import { accountProblem } from '../account-words.js'
import { ApiError, auth } from '../api.js'
import { errorText, t } from '../i18n/index.js'
import { saveSession, type SessionAnswer, sessionFromToken } from '../session.js'

const TELEGRAM_WIDGET = 'https://telegram.org/js/telegram-widget.js?22'

/**
 * Telegram's Login Widget: its script draws the button (an iframe) where it stands and calls the
 * global named in data-onauth, whose answer is posted to room-api. The script is added by hand: it
 * needs its data attributes before it runs, and it must run once.
 */
export function TelegramBox ({ botName, done }: { botName: string, done: (answer: SessionAnswer) => void }) {
  const [error, setError] = useState('')
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const w = window as { wtTelegramAuth?: (user: Record<string, unknown>) => void }
    w.wtTelegramAuth = (user) => {
      setError('')
      auth.telegram(user).then(done, (err: unknown) => setError(err instanceof ApiError ? accountProblem(err).message : errorText(err)))
    }
    const script = document.createElement('script')
    script.async = true
    script.src = TELEGRAM_WIDGET
    Object.assign(script.dataset, { telegramLogin: botName, size: 'large', radius: '8', requestAccess: 'write', onauth: 'wtTelegramAuth(user)' })
    box.current?.append(script)
    return () => { delete w.wtTelegramAuth }
  }, [botName])
  return (
    <section id='telegram-sign-in' class='card stack' aria-labelledby='telegram-title'>
      <h2 id='telegram-title'>{t('telegram.title')}</h2>
      <p class='muted small'>{t('telegram.text')}</p>
      <div class='telegram-widget' ref={box} />
      <p class='error' role='alert'>{error}</p>
    </section>
  )
}

/** Development only (room-api's DEV_SIGN_IN): a name is enough. */
export function DevBox ({ enter }: { enter: () => void }) {
  const [error, setError] = useState('')
  const submit = (event: Event) => {
    event.preventDefault()
    const name = (document.getElementById('dev-name') as HTMLInputElement).value.trim()
    if (!name) return setError(t('devSignIn.empty'))
    auth.devSignIn(name).then((res) => {
      saveSession({ token: res.token, user: res.user, expiresAt: res.expiresAt, kind: 'dev' })
      enter()
    }, (err: ApiError) => setError(err.status === 404 ? t('devSignIn.off') : accountProblem(err).message))
  }
  return (
    <form id='dev-sign-in' class='card stack dev' aria-labelledby='dev-title' onSubmit={submit}>
      <h2 id='dev-title'>{t('devSignIn.title')}</h2>
      <p class='muted small'>{t('devSignIn.text')}</p>
      <label for='dev-name'>{t('devSignIn.name')}</label>
      <div class='inline'>
        <input id='dev-name' name='name' required maxLength={60} autocomplete='nickname' aria-describedby='dev-error' />
        <button type='submit'>{t('devSignIn.submit')}</button>
      </div>
      <p id='dev-error' class='error' role='alert'>{error}</p>
    </form>
  )
}

/** A token from an external Auth service (accounts off here), pasted. */
export function TokenBox ({ enter, folded }: { enter: () => void, folded: boolean }) {
  const [error, setError] = useState('')
  const form = (
    <form
      class='stack' onSubmit={(event) => {
        event.preventDefault()
        try {
          saveSession(sessionFromToken((document.getElementById('sign-in-token') as HTMLTextAreaElement).value))
          enter()
        } catch {
          setError(t('token.invalid'))
        }
      }}
    >
      <label for='sign-in-token'>{t('token.label')}</label>
      <textarea id='sign-in-token' name='token' rows={3} required spellcheck={false} aria-describedby='token-error' />
      <p id='token-error' class='error' role='alert'>{error}</p>
      <button type='submit'>{t('token.submit')}</button>
    </form>
  )
  return folded ? <details class='card'><summary>{t('token.folded')}</summary>{form}</details> : <section class='card'>{form}</section>
}
