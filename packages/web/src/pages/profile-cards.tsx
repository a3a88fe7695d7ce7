import { useEffect, useState } from 'preact/hooks'
import { accountProblem, avatarProblem, AVATAR_MAX_BYTES, passwordProblem } from '../account-words.js'
import { type ApiError, auth, me, type Me } from '../api.js'
import { setFlash } from '../flash.js'
import { t } from '../i18n/index.js'
import { accountSession, saveSession, signOut } from '../session.js'
import { Avatar } from '../ui/avatar.js'
import { focusOn, valueOf } from '../ui/field.js'

/** The picture: upload (checked here for type and size before room-api checks the bytes) or removal back to initials. */
export function PictureCard ({ user, redraw }: { user: Me, redraw: (user: Me) => void }) {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [uploaded, setUploaded] = useState<boolean | null>(null)
  // Me does not say whether a picture was uploaded: the image's type does (initials are SVG).
  useEffect(() => {
    let alive = true
    uploadedPicture(user.avatarUrl).then((yes) => { if (alive) setUploaded(yes) }, () => {})
    return () => { alive = false }
  }, [user.avatarUrl])
  const onFile = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement
    const picked = input.files?.[0]
    input.value = ''
    if (!picked) return
    const problem = avatarProblem(picked)
    if (problem) return setError(problem)
    setError('')
    setBusy(true)
    me.setAvatar(picked).then(({ user }) => { setBusy(false); redraw(user) }, (err: ApiError) => {
      setBusy(false)
      const words = accountProblem(err).message
      setError(err.code === 'ROOM_AVATAR_UNSUPPORTED' || err.code === 'ROOM_AVATAR_TOO_LARGE' ? words : t('profile.uploadFailed', { why: words }))
    })
  }
  const remove = () => {
    setBusy(true)
    me.removeAvatar().then(({ user }) => { setBusy(false); redraw(user) }, (err: ApiError) => {
      setBusy(false)
      setError(t('profile.removeFailed', { why: accountProblem(err).message }))
    })
  }
  return (
    <section class='card profile-picture' aria-labelledby='picture-title'>
      <Avatar url={user.avatarUrl} size='large' alt={t(uploaded === false ? 'profile.initials' : 'profile.yourPicture')} />
      <div class='stack'>
        <h2 id='picture-title'>{t('profile.picture')}</h2>
        <p id='avatar-hint' class='muted small'>{t('profile.pictureHint', { max: AVATAR_MAX_BYTES / 1024 })}</p>
        <div class='actions'>
          <input id='avatar-file' type='file' accept='image/png,image/jpeg,image/webp,image/gif' hidden onChange={onFile} />
          <button type='button' aria-describedby='avatar-hint avatar-error' disabled={busy} onClick={() => document.getElementById('avatar-file')?.click()}>
            {t(uploaded ? 'profile.change' : 'profile.upload')}
          </button>
          {uploaded && <button type='button' class='danger' disabled={busy} onClick={remove}>{t('profile.remove')}</button>}
        </div>
        <p id='avatar-error' class='field-error' role='alert'>{error}</p>
      </div>
    </section>
  )
}

/** Whether the avatar is an upload (room-api draws initials as SVG, and never accepts an SVG upload). */
async function uploadedPicture (url: string): Promise<boolean> {
  const res = await fetch(url, { method: 'HEAD' })
  return res.ok && !(res.headers.get('content-type') ?? '').startsWith('image/svg')
}

/** The password: the current one and a new one; every other device is signed out by the change. */
export function PasswordCard ({ say }: { say: (message: string) => void }) {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = (event: Event) => {
    event.preventDefault()
    setError('')
    const current = valueOf('current-password')
    const next = valueOf('new-password')
    if (!current) { setError(t('profile.currentEmpty')); return focusOn('current-password') }
    const wrong = passwordProblem(next)
    if (wrong) { setError(wrong); return focusOn('new-password') }
    setBusy(true)
    auth.changePassword(current, next).then((answer) => {
      saveSession(accountSession(answer))
      for (const id of ['current-password', 'new-password']) (document.getElementById(id) as HTMLInputElement).value = ''
      setBusy(false)
      say(t('profile.passwordChanged'))
    }, (err: ApiError) => {
      setBusy(false)
      setError(accountProblem(err).message)
    })
  }
  return (
    <details class='card'>
      <summary>{t('profile.password')}</summary>
      <form class='stack' noValidate onSubmit={submit}>
        <label for='current-password'>{t('profile.currentPassword')}</label>
        <input id='current-password' type='password' autocomplete='current-password' required aria-describedby='password-error' />
        <label for='new-password'>{t('profile.newPassword')}</label>
        <input id='new-password' type='password' autocomplete='new-password' required aria-describedby='new-password-hint password-error' />
        <p id='new-password-hint' class='muted small'>{t('profile.newPasswordHint')}</p>
        <p id='password-error' class='field-error' role='alert'>{error}</p>
        <div class='actions'><button type='submit' disabled={busy}>{t('profile.password')}</button></div>
      </form>
    </details>
  )
}

/** Signing out here, or everywhere (an account's every session is revoked). */
export function SessionCard ({ user }: { user: Me }) {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const account = user.hasPassword || user.telegram !== null
  const everywhere = () => {
    setBusy(true)
    auth.signOutEverywhere().then(() => {
      // Every session is revoked; signing out here too clears this browser's cookies and tabs.
      setFlash(t('profile.signedOutEverywhere'))
      signOut().catch(() => {})
    }, (err: ApiError) => {
      setBusy(false)
      setError(t('profile.everywhereFailed', { why: accountProblem(err).message }))
    })
  }
  return (
    <section class='card stack' aria-labelledby='sessions-title'>
      <h2 id='sessions-title'>{t('profile.sessions')}</h2>
      <p class='muted small'>{t(account ? 'profile.sessionsText' : 'profile.sessionsNone')}</p>
      <div class='actions'>
        <button type='button' onClick={() => { setFlash(t('nav.signedOut')); signOut().catch(() => {}) }}>{t('profile.signOut')}</button>
        {account && <button type='button' class='danger' disabled={busy} onClick={everywhere}>{t('profile.signOutEverywhere')}</button>}
      </div>
      <p class='error' role='alert'>{error}</p>
    </section>
  )
}
