import { type AccountField, accountProblem, displayNameProblem, emailProblem, endedWords, handleProblem, passwordProblem } from '../account-words.js'
import { ApiError, auth, type Providers } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { takeFlash } from '../flash.js'
import type { PageContext } from '../main.js'
import { accountSession, saveSession, type SessionAnswer, sessionFromToken, takeEndReason } from '../session.js'
import { siteHeader } from './header.js'

const TELEGRAM_WIDGET = 'https://telegram.org/js/telegram-widget.js?22'

/** A labelled input with its own error line (aria-describedby), marked invalid while the error shows. */
function field (id: string, label: string, input: HTMLInputElement, hint?: string, control: HTMLElement = input) {
  const error = h('p', { id: `${id}-error`, className: 'field-error' })
  const hintEl = hint ? h('p', { id: `${id}-hint`, className: 'muted small hint' }, hint) : null
  input.id = id
  input.setAttribute('aria-describedby', [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '))
  const show = (message: string | null, ...extra: Array<Node | string>) => {
    replaceChildren(error, ...(message ? [h('span', {}, message), ...extra] : []))
    if (message) input.setAttribute('aria-invalid', 'true')
    else input.removeAttribute('aria-invalid')
  }
  input.addEventListener('input', () => { if (error.childNodes.length > 0) show(null) })
  const element = h('div', { className: 'field' }, h('label', { attrs: { for: id } }, label), control, hintEl, error)
  return { element, input, show }
}

/** A password input with a Show/Hide button beside it (`row` goes in the form). */
function passwordInput (name: string, autocomplete: string): { input: HTMLInputElement, row: HTMLElement } {
  const input = h('input', { attrs: { name, type: 'password', required: true, autocomplete, maxlength: '256' } })
  const toggle = h('button', {
    className: 'reveal',
    attrs: { type: 'button', 'aria-label': 'Show password' },
    on: {
      click: () => {
        const shown = input.type === 'password'
        input.type = shown ? 'text' : 'password'
        toggle.textContent = shown ? 'Hide' : 'Show'
        toggle.setAttribute('aria-label', shown ? 'Hide password' : 'Show password')
      }
    }
  }, 'Show')
  return { input, row: h('div', { className: 'password-row' }, input, toggle) }
}

/**
 * Sign in or create an account: email and password (display name and an optional handle to create one),
 * Telegram's Login Widget when room-api has a bot, and development's sign-in by name when room-api offers it.
 * A token from an external Auth service can be pasted when accounts are off. Afterwards the user goes where
 * they were headed — an invite link's room (`?next=`).
 */
export function renderSignIn (ctx: PageContext, next: string | null) {
  // Only in-app paths: an absolute URL in ?next= would make this an open redirect.
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/'
  const invited = target.startsWith('/rooms/')
  document.title = `${invited ? 'Join the watch party' : 'Sign in'} · Watch Together`
  const intro = takeFlash() || endedWords(takeEndReason())
  let alive = true
  const done = (answer: SessionAnswer) => {
    if (!alive) return
    saveSession(accountSession(answer))
    ctx.navigate(target, true)
  }

  // ---- sign in ----
  const signInAlert = h('p', { className: 'error', attrs: { role: 'alert' } })
  const inEmail = field('sign-in-email', 'Email', h('input', { attrs: { name: 'email', type: 'email', required: true, autocomplete: 'username', inputmode: 'email', spellcheck: 'false', autocapitalize: 'none' } }))
  const inPass = passwordInput('password', 'current-password')
  const inPassword = field('sign-in-password', 'Password', inPass.input, undefined, inPass.row)
  const signInButton = h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Sign in')
  const signInForm = h('form', {
    id: 'sign-in-form',
    className: 'stack',
    attrs: { novalidate: true, 'aria-labelledby': 'sign-in-title' },
    on: {
      submit: (event) => {
        event.preventDefault()
        signInAlert.textContent = ''
        const email = inEmail.input.value.trim()
        const emailWrong = emailProblem(email)
        inEmail.show(emailWrong)
        inPassword.show(inPass.input.value ? null : 'Please enter your password.')
        if (emailWrong) return inEmail.input.focus()
        if (!inPass.input.value) return inPass.input.focus()
        signInButton.disabled = true
        auth.signIn({ email, password: inPass.input.value }).then(done, (err: unknown) => {
          signInButton.disabled = false
          const problem = err instanceof ApiError ? accountProblem(err, { email }) : { message: `Could not sign in: ${(err as Error).message}` }
          signInAlert.textContent = problem.message
          if (err instanceof ApiError && err.code === 'ROOM_SIGN_IN_FAILED') { inPass.input.select(); inPass.input.focus() }
        })
      }
    }
  },
  h('h2', { id: 'sign-in-title' }, 'Sign in'),
  inEmail.element, inPassword.element, signInAlert,
  h('div', { className: 'actions' }, signInButton),
  h('p', { className: 'switch' }, 'New to Watch Together? ', h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => show('sign-up') } }, 'Create an account')))

  // ---- create an account ----
  const upAlert = h('p', { className: 'error', attrs: { role: 'alert' } })
  const upName = field('sign-up-name', 'Your name', h('input', { attrs: { name: 'displayName', required: true, maxlength: '64', autocomplete: 'name' } }),
    'Friends see it next to you in rooms, chat and matches.')
  const upEmail = field('sign-up-email', 'Email', h('input', { attrs: { name: 'email', type: 'email', required: true, autocomplete: 'username', inputmode: 'email', spellcheck: 'false', autocapitalize: 'none' } }),
    'To sign in. Nobody else ever sees it.')
  const upPass = passwordInput('new-password', 'new-password')
  const upPassword = field('sign-up-password', 'Password', upPass.input, 'At least 10 characters. A few words in a row are easy to remember and hard to guess.', upPass.row)
  const upHandle = field('sign-up-handle', 'Handle (optional)', h('input', {
    attrs: { name: 'handle', maxlength: '31', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: 'e.g. vasily' }
  }), 'How friends find you: @handle, latin letters, digits and _. Leave it empty and one is made from your name (you can change it later).')
  const upButton = h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Create account')
  const upFields: Record<string, ReturnType<typeof field>> = { displayName: upName, email: upEmail, password: upPassword, handle: upHandle }
  const signUp = () => {
    upAlert.textContent = ''
    const body = {
      displayName: upName.input.value.trim(),
      email: upEmail.input.value.trim(),
      password: upPass.input.value,
      handle: upHandle.input.value.trim().replace(/^@/, '')
    }
    const problems: Array<[ReturnType<typeof field>, string | null]> = [
      [upName, displayNameProblem(body.displayName)],
      [upEmail, emailProblem(body.email)],
      [upPassword, passwordProblem(body.password)],
      [upHandle, handleProblem(body.handle)]
    ]
    for (const [f, problem] of problems) f.show(problem)
    const first = problems.find(([, problem]) => problem)
    if (first) return first[0].input.focus()
    upButton.disabled = true
    const { handle, ...rest } = body
    auth.signUp(handle ? { ...rest, handle } : rest).then(done, (err: unknown) => {
      upButton.disabled = false
      if (!(err instanceof ApiError)) { upAlert.textContent = `Could not create the account: ${(err as Error).message}`; return }
      const problem = accountProblem(err, { email: body.email, handle })
      const target = problem.field ? upFields[problem.field as AccountField] : undefined
      if (!target) { upAlert.textContent = problem.message; return }
      const extra: Array<Node | string> = []
      if (err.code === 'ROOM_EMAIL_TAKEN') {
        extra.push(' ', h('button', {
          className: 'link',
          attrs: { type: 'button' },
          on: { click: () => { inEmail.input.value = body.email; show('sign-in'); inPass.input.focus() } }
        }, 'Sign in with this email'))
      }
      if (problem.suggestion) {
        const suggestion = problem.suggestion
        extra.push(' ', h('button', {
          className: 'suggestion',
          attrs: { type: 'button' },
          on: { click: () => { upHandle.input.value = suggestion; signUp() } }
        }, `Use @${suggestion}`))
      }
      target.show(problem.message, ...extra)
      target.input.focus()
    })
  }
  const signUpForm = h('form', {
    id: 'sign-up-form',
    className: 'stack',
    attrs: { novalidate: true, 'aria-labelledby': 'sign-up-title' },
    on: { submit: (event) => { event.preventDefault(); signUp() } }
  },
  h('h2', { id: 'sign-up-title' }, 'Create an account'),
  upName.element, upEmail.element, upPassword.element, upHandle.element, upAlert,
  h('div', { className: 'actions' }, upButton),
  h('p', { className: 'switch' }, 'Already have an account? ', h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => show('sign-in') } }, 'Sign in instead')))

  const show = (which: 'sign-in' | 'sign-up') => {
    signInForm.hidden = which !== 'sign-in'
    signUpForm.hidden = which !== 'sign-up'
    ;(which === 'sign-in' ? inEmail.input : upName.input).focus()
  }

  const accounts = h('section', { id: 'accounts', className: 'card' }, signInForm, signUpForm)
  const others = h('div', { className: 'stack' })
  const main = h('main', { id: 'main', className: 'page narrow sign-in' },
    h('h1', {}, invited ? 'Sign in or create an account to join the watch party' : 'Sign in to Watch Together'),
    invited ? h('p', {}, 'A friend invited you to watch a film together. Sign in, or create an account in a minute — either way you go straight to the room.') : null,
    intro ? h('p', { className: 'notice', attrs: { role: 'status' } }, intro) : null,
    accounts,
    others)
  replaceChildren(ctx.root, siteHeader(ctx.navigate), main)
  signUpForm.hidden = true
  accounts.hidden = true

  // What this server offers decides the rest (and whether password accounts exist at all).
  auth.providers().catch((): Providers => ({ password: false, telegram: null, devSignIn: ctx.config.devSignIn })).then((providers) => {
    if (!alive) return
    accounts.hidden = !providers.password
    if (providers.telegram) others.append(telegramBox(providers.telegram.botName, done))
    if (providers.devSignIn) others.append(devBox(ctx, target))
    if (!providers.password) others.append(tokenBox(ctx, target, providers.devSignIn))
    if (providers.password) inEmail.input.focus()
    else others.querySelector<HTMLInputElement>('input, textarea')?.focus()
  }).catch(() => {})
  return () => {
    alive = false
    delete (window as { wtTelegramAuth?: unknown }).wtTelegramAuth
  }
}

/** Telegram's Login Widget (its script draws the button in an iframe); its answer is posted to room-api. */
function telegramBox (botName: string, done: (answer: SessionAnswer) => void): HTMLElement {
  const error = h('p', { className: 'error', attrs: { role: 'alert' } })
  ;(window as { wtTelegramAuth?: (user: Record<string, unknown>) => void }).wtTelegramAuth = (user) => {
    error.textContent = ''
    auth.telegram(user).then(done, (err: unknown) => {
      error.textContent = err instanceof ApiError ? accountProblem(err).message : `Could not sign in with Telegram: ${(err as Error).message}`
    })
  }
  const script = document.createElement('script')
  script.async = true
  script.src = TELEGRAM_WIDGET
  script.dataset.telegramLogin = botName
  script.dataset.size = 'large'
  script.dataset.radius = '8'
  script.dataset.requestAccess = 'write'
  script.dataset.onauth = 'wtTelegramAuth(user)'
  return h('section', { id: 'telegram-sign-in', className: 'card stack', attrs: { 'aria-labelledby': 'telegram-title' } },
    h('h2', { id: 'telegram-title' }, 'Or use Telegram'),
    h('p', { className: 'muted small' }, 'No password needed: Telegram confirms it is you. A new account is made the first time.'),
    h('div', { className: 'telegram-widget' }, script),
    error)
}

/** Development only (room-api's DEV_SIGN_IN): a name is enough. */
function devBox (ctx: PageContext, target: string): HTMLElement {
  const error = h('p', { className: 'error', attrs: { role: 'alert' } })
  const input = h('input', { id: 'dev-name', attrs: { name: 'name', required: true, maxlength: '60', autocomplete: 'nickname' } })
  return h('form', {
    id: 'dev-sign-in',
    className: 'card stack dev',
    on: {
      submit: (event) => {
        event.preventDefault()
        const name = input.value.trim()
        if (!name) { error.textContent = 'Please enter a name.'; return }
        auth.devSignIn(name).then((res) => {
          saveSession({ token: res.token, user: res.user, expiresAt: res.expiresAt, kind: 'dev' })
          ctx.navigate(target, true)
        }, (err: ApiError) => { error.textContent = err.status === 404 ? 'Development sign-in is off on this server.' : accountProblem(err).message })
      }
    }
  },
  h('h2', {}, 'Development sign-in'),
  h('p', { className: 'muted small' }, 'This server runs in development: a name is enough, no account is kept.'),
  h('label', { attrs: { for: 'dev-name' } }, 'Name (development only)'),
  h('div', { className: 'inline' }, input, h('button', { attrs: { type: 'submit' } }, 'Sign in with this name')),
  error)
}

/** A token from an external Auth service (accounts off here), pasted. */
function tokenBox (ctx: PageContext, target: string, folded: boolean): HTMLElement {
  const error = h('p', { className: 'error', attrs: { role: 'alert' } })
  const input = h('textarea', { id: 'sign-in-token', attrs: { name: 'token', rows: '3', required: true, spellcheck: 'false' } })
  const form = h('form', {
    className: 'stack',
    on: {
      submit: (event) => {
        event.preventDefault()
        try {
          saveSession(sessionFromToken(input.value))
          ctx.navigate(target, true)
        } catch (err) {
          error.textContent = (err as Error).message
        }
      }
    }
  },
  h('label', { attrs: { for: 'sign-in-token' } }, 'Access token from the Auth service'),
  input, error,
  h('button', { attrs: { type: 'submit' } }, 'Use this token'))
  return folded ? h('details', { className: 'card' }, h('summary', {}, 'Or use a token from the Auth service'), form) : h('section', { className: 'card' }, form)
}
