import { api, ApiError } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { PageContext } from '../main.js'
import { saveSession, type Session, sessionFromToken } from '../session.js'
import { siteHeader } from './header.js'

/**
 * Sign in: room-api's dev sign-in (a name is enough) when the server allows it; otherwise a token
 * from the Auth service, pasted. Afterwards the user goes where they were headed (an invite's room).
 */
export function renderSignIn (ctx: PageContext, next: string | null) {
  document.title = 'Sign in · Watch Together'
  // Only in-app paths: an absolute URL in ?next= would make this an open redirect.
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/'
  const error = h('p', { className: 'error', attrs: { role: 'alert' } })
  const done = (session: Session) => { saveSession(session); ctx.navigate(target) }
  const fail = (message: string) => { error.textContent = message }

  const nameInput = h('input', { id: 'sign-in-name', attrs: { name: 'name', required: true, maxlength: '60', autocomplete: 'nickname' } })
  const devForm = h('form', {
    className: 'card stack',
    on: {
      submit: (event) => {
        event.preventDefault()
        const name = nameInput.value.trim()
        if (!name) return fail('Please enter your name.')
        api<{ token: string, user: Session['user'], expiresAt: string }>('POST', '/auth/dev-sign-in', { name })
          .then((res) => done({ token: res.token, user: res.user, expiresAt: res.expiresAt }))
          .catch((err: ApiError) => fail(err.status === 404 ? 'Dev sign-in is off on this server: paste a token instead.' : err.message))
      }
    }
  },
  h('label', { attrs: { for: 'sign-in-name' } }, 'Your name'),
  nameInput,
  h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Sign in'))

  const tokenInput = h('textarea', { id: 'sign-in-token', attrs: { name: 'token', rows: '3', required: true, spellcheck: 'false' } })
  const tokenForm = h('form', {
    className: 'card stack',
    on: {
      submit: (event) => {
        event.preventDefault()
        try {
          done(sessionFromToken(tokenInput.value))
        } catch (err) {
          fail((err as Error).message)
        }
      }
    }
  },
  h('label', { attrs: { for: 'sign-in-token' } }, 'Access token from the Auth service'),
  tokenInput,
  h('button', { attrs: { type: 'submit' } }, 'Use this token'))

  const invited = target.startsWith('/rooms/')
  replaceChildren(ctx.root,
    siteHeader(ctx.navigate),
    h('main', { id: 'main', className: 'page narrow' },
      h('h1', {}, invited ? 'Sign in to join the watch party' : 'Sign in'),
      invited ? h('p', {}, 'A friend invited you to watch a film together. Sign in and you will go straight to the room.') : null,
      error,
      ctx.config.devSignIn ? devForm : null,
      ctx.config.devSignIn
        ? h('details', { className: 'card' }, h('summary', {}, 'Or use a token from the Auth service'), tokenForm)
        : tokenForm))
  ;(ctx.config.devSignIn ? nameInput : tokenInput).focus()
}
