import { accountProblem, avatarProblem, AVATAR_MAX_BYTES, displayNameProblem, handleProblem, passwordProblem } from '../account-words.js'
import { ApiError, auth, me, type Me } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { setFlash } from '../flash.js'
import type { PageContext } from '../main.js'
import { accountSession, loadSession, refreshSession, saveSession, signOut, updateSessionUser } from '../session.js'
import { avatar, siteHeader } from './header.js'

/**
 * My profile: the picture (upload, checked here for type and size before room-api checks the bytes;
 * removal back to initials), display name and handle, the password, and signing out here or everywhere.
 */
export function renderProfile (ctx: PageContext) {
  document.title = 'Your profile · Watch Together'
  const status = h('p', { className: 'notice', attrs: { role: 'status' } })
  const main = h('main', { id: 'main', className: 'page narrow profile' }, h('h1', {}, 'Your profile'), status, h('p', { className: 'muted' }, 'Loading…'))
  replaceChildren(ctx.root, siteHeader(ctx.navigate), main)
  let alive = true
  me.get().then(({ user }) => { if (alive) draw(user) }, (err: ApiError) => { status.textContent = `Could not load your profile: ${err.message}` })

  const draw = (user: Me) => {
    updateSessionUser({ name: user.displayName, handle: user.handle, avatarUrl: user.avatarUrl })
    replaceChildren(main, h('h1', {}, 'Your profile'), status,
      pictureCard(user, draw),
      namesCard(user, draw, status),
      user.hasPassword ? passwordCard(status) : null,
      sessionCard(user))
  }
  return () => { alive = false }
}

function pictureCard (user: Me, redraw: (user: Me) => void): HTMLElement {
  const error = h('p', { id: 'avatar-error', className: 'field-error', attrs: { role: 'alert' } })
  const file = h('input', {
    id: 'avatar-file',
    attrs: { type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif', hidden: true }
  })
  const choose = h('button', { attrs: { type: 'button', 'aria-describedby': 'avatar-hint avatar-error' }, on: { click: () => file.click() } }, 'Upload a picture…')
  const remove = h('button', {
    className: 'danger',
    attrs: { type: 'button' },
    on: {
      click: () => {
        remove.disabled = true
        me.removeAvatar().then(({ user }) => redraw(user), (err: ApiError) => {
          remove.disabled = false
          error.textContent = `Could not remove the picture: ${accountProblem(err).message}`
        })
      }
    }
  }, 'Remove picture')
  remove.hidden = true
  const picture = avatar(user.avatarUrl, 'large', 'Your picture')
  // Me does not say whether a picture was uploaded: the image's type does (initials are SVG).
  uploadedPicture(user.avatarUrl).then((uploaded) => {
    remove.hidden = !uploaded
    choose.textContent = uploaded ? 'Change picture…' : 'Upload a picture…'
    picture.setAttribute('alt', uploaded ? 'Your picture' : 'Your initials (no picture uploaded)')
  }, () => {})
  file.addEventListener('change', () => {
    const picked = file.files?.[0]
    file.value = ''
    if (!picked) return
    const problem = avatarProblem(picked)
    if (problem) { error.textContent = problem; return }
    error.textContent = ''
    choose.disabled = true
    me.setAvatar(picked).then(({ user }) => redraw(user), (err: ApiError) => {
      choose.disabled = false
      error.textContent = err.code === 'ROOM_AVATAR_UNSUPPORTED'
        ? 'That file is not a picture we can use: please choose a PNG, JPEG, WebP or GIF.'
        : err.code === 'ROOM_AVATAR_TOO_LARGE'
          ? `That picture is too large: at most ${AVATAR_MAX_BYTES / 1024} KB and 2048 × 2048 pixels.`
          : `Could not upload the picture: ${accountProblem(err).message}`
    })
  })
  return h('section', { className: 'card profile-picture', attrs: { 'aria-labelledby': 'picture-title' } },
    picture,
    h('div', { className: 'stack' },
      h('h2', { id: 'picture-title' }, 'Picture'),
      h('p', { id: 'avatar-hint', className: 'muted small' }, `PNG, JPEG, WebP or GIF, up to ${AVATAR_MAX_BYTES / 1024} KB. Without one, friends see your initials.`),
      h('div', { className: 'actions' }, file, choose, remove),
      error))
}

/** Whether the avatar is an upload (room-api draws initials as SVG, and never accepts an SVG upload). */
async function uploadedPicture (url: string): Promise<boolean> {
  const res = await fetch(url, { method: 'HEAD' })
  return res.ok && !(res.headers.get('content-type') ?? '').startsWith('image/svg')
}

function namesCard (user: Me, redraw: (user: Me) => void, status: HTMLElement): HTMLElement {
  const nameError = h('p', { id: 'profile-name-error', className: 'field-error' })
  const handleError = h('p', { id: 'profile-handle-error', className: 'field-error' })
  const name = h('input', { id: 'profile-name', attrs: { name: 'displayName', maxlength: '64', autocomplete: 'name', required: true, 'aria-describedby': 'profile-name-error' } })
  const handle = h('input', { id: 'profile-handle', attrs: { name: 'handle', maxlength: '31', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'profile-handle-hint profile-handle-error' } })
  name.value = user.displayName
  handle.value = user.handle
  const save = h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Save')
  const mark = (input: HTMLInputElement, out: HTMLElement, message: string | null, ...extra: Array<Node | string>) => {
    replaceChildren(out, ...(message ? [h('span', {}, message), ...extra] : []))
    if (message) input.setAttribute('aria-invalid', 'true')
    else input.removeAttribute('aria-invalid')
  }
  const submit = () => {
    const displayName = name.value.trim()
    const wanted = handle.value.trim().replace(/^@/, '').toLowerCase()
    const nameWrong = displayNameProblem(displayName)
    const handleWrong = wanted ? handleProblem(wanted) : 'Please enter a handle: it is how friends find you.'
    mark(name, nameError, nameWrong)
    mark(handle, handleError, handleWrong)
    if (nameWrong) return name.focus()
    if (handleWrong) return handle.focus()
    const changes = {
      ...(displayName !== user.displayName ? { displayName } : {}),
      ...(wanted !== user.handle ? { handle: wanted } : {})
    }
    if (Object.keys(changes).length === 0) { status.textContent = 'Nothing to save: that is your profile already.'; return }
    save.disabled = true
    me.update(changes).then(async ({ user: updated }) => {
      // Access tokens carry the name they were issued with: a fresh one carries the new name into rooms.
      if (changes.displayName && loadSession()?.kind === 'account') await refreshSession().catch(() => null)
      status.textContent = 'Saved.'
      redraw(updated)
    }, (err: ApiError) => {
      save.disabled = false
      const problem = accountProblem(err, { handle: wanted })
      if (problem.field === 'handle') {
        const suggestion = problem.suggestion
        mark(handle, handleError, problem.message, ...(suggestion
          ? [' ', h('button', { className: 'suggestion', attrs: { type: 'button' }, on: { click: () => { handle.value = suggestion; submit() } } }, `Use @${suggestion}`)]
          : []))
        return handle.focus()
      }
      if (problem.field === 'displayName') { mark(name, nameError, problem.message); return name.focus() }
      status.textContent = problem.message
    })
  }
  return h('form', {
    className: 'card stack',
    attrs: { novalidate: true, 'aria-labelledby': 'names-title' },
    on: { submit: (event) => { event.preventDefault(); submit() } }
  },
  h('h2', { id: 'names-title' }, 'Name and handle'),
  h('div', { className: 'field' }, h('label', { attrs: { for: 'profile-name' } }, 'Display name'), name, nameError),
  h('div', { className: 'field' },
    h('label', { attrs: { for: 'profile-handle' } }, 'Handle'),
    h('div', { className: 'handle-row' }, h('span', { className: 'at', attrs: { 'aria-hidden': 'true' } }, '@'), handle),
    h('p', { id: 'profile-handle-hint', className: 'muted small hint' }, 'Friends find you by it. 3–30 latin letters, digits or _, starting with a letter.'),
    handleError),
  user.email ? h('p', { className: 'muted small' }, 'Email (only you see it): ', h('strong', {}, user.email)) : null,
  user.telegram ? h('p', { className: 'muted small' }, 'Telegram: ', h('strong', {}, user.telegram.username ? `@${user.telegram.username}` : 'linked')) : null,
  h('div', { className: 'actions' }, save))
}

function passwordCard (status: HTMLElement): HTMLElement {
  const error = h('p', { id: 'password-error', className: 'field-error', attrs: { role: 'alert' } })
  const current = h('input', { id: 'current-password', attrs: { type: 'password', autocomplete: 'current-password', required: true } })
  const next = h('input', { id: 'new-password', attrs: { type: 'password', autocomplete: 'new-password', required: true, 'aria-describedby': 'new-password-hint password-error' } })
  const change = h('button', { attrs: { type: 'submit' } }, 'Change password')
  return h('details', { className: 'card' },
    h('summary', {}, 'Change password'),
    h('form', {
      className: 'stack',
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault()
          error.textContent = ''
          if (!current.value) { error.textContent = 'Please enter your current password.'; return current.focus() }
          const wrong = passwordProblem(next.value)
          if (wrong) { error.textContent = wrong; return next.focus() }
          change.disabled = true
          auth.changePassword(current.value, next.value).then((answer) => {
            saveSession(accountSession(answer))
            current.value = ''
            next.value = ''
            change.disabled = false
            status.textContent = 'Password changed. Every other device was signed out.'
          }, (err: ApiError) => {
            change.disabled = false
            error.textContent = accountProblem(err).message
          })
        }
      }
    },
    h('label', { attrs: { for: 'current-password' } }, 'Current password'), current,
    h('label', { attrs: { for: 'new-password' } }, 'New password'), next,
    h('p', { id: 'new-password-hint', className: 'muted small' }, 'At least 10 characters. Changing it signs you out everywhere else.'),
    error,
    h('div', { className: 'actions' }, change)))
}

function sessionCard (user: Me): HTMLElement {
  const error = h('p', { className: 'error', attrs: { role: 'alert' } })
  const everywhere = h('button', {
    className: 'danger',
    attrs: { type: 'button' },
    on: {
      click: () => {
        everywhere.disabled = true
        auth.signOutEverywhere().then(() => {
          // Every session is revoked; signing out here too clears this browser's cookies and tabs.
          setFlash('You signed out on every device.')
          signOut().catch(() => {})
        }, (err: ApiError) => {
          everywhere.disabled = false
          error.textContent = `Could not sign out everywhere: ${accountProblem(err).message}`
        })
      }
    }
  }, 'Sign out everywhere')
  const account = user.hasPassword || user.telegram !== null
  return h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'sessions-title' } },
    h('h2', { id: 'sessions-title' }, 'Signed-in devices'),
    h('p', { className: 'muted small' }, account
      ? 'Lost a phone, or signed in on a computer that is not yours? This signs out every device and browser, this one too.'
      : 'This session comes from development sign-in or an outside token: there are no other devices to sign out.'),
    h('div', { className: 'actions' },
      h('button', {
        attrs: { type: 'button' },
        on: { click: () => { setFlash('You signed out.'); signOut().catch(() => {}) } }
      }, 'Sign out'),
      account ? everywhere : null),
    error)
}
