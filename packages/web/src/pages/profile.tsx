import { useEffect, useState } from 'preact/hooks'
import { accountProblem, displayNameProblem, handleProblem } from '../account-words.js'
import { type ApiError, me, type Me } from '../api.js'
import { t } from '../i18n/index.js'
import { loadSession, refreshSession, updateSessionUser } from '../session.js'
import { Field, type FieldError, focusOn, setValue, valueOf } from '../ui/field.js'
import { useLanguage } from '../ui/hooks.js'
import { TopBar } from '../ui/top-bar.js'
import { PasswordCard, PictureCard, SessionCard } from './profile-cards.js'

/**
 * My profile: the picture, display name and handle, the password, and signing out here or everywhere.
 * `status` says what happened (saved, password changed) in a live region at the top.
 */
export function ProfilePage () {
  useLanguage()
  document.title = t('app.title', { page: t('profile.title') })
  const [user, setUser] = useState<Me | null>(null)
  const [status, setStatus] = useState('')
  const draw = (fresh: Me) => {
    updateSessionUser({ name: fresh.displayName, handle: fresh.handle, avatarUrl: fresh.avatarUrl })
    setUser(fresh)
  }
  useEffect(() => {
    let alive = true
    me.get().then(({ user }) => { if (alive) draw(user) }, (err: ApiError) => { if (alive) setStatus(t('profile.loadFailed', { why: accountProblem(err).message })) })
    return () => { alive = false }
  }, [])
  return (
    <>
      <TopBar />
      <main id='main' class='page narrow profile'>
        <h1>{t('profile.title')}</h1>
        <p class='notice' role='status'>{status}</p>
        {!user && <p class='muted'>{t('common.loading')}</p>}
        {user && (
          <>
            <PictureCard user={user} redraw={draw} />
            <NamesCard user={user} redraw={draw} say={setStatus} />
            {user.hasPassword && <PasswordCard say={setStatus} />}
            <SessionCard user={user} />
          </>
        )}
      </main>
    </>
  )
}

/** Display name and handle; a taken handle gets room-api's free one a click away. */
function NamesCard ({ user, redraw, say }: { user: Me, redraw: (user: Me) => void, say: (message: string) => void }) {
  const [errors, setErrors] = useState<{ name?: FieldError | null, handle?: FieldError | null }>({})
  const [busy, setBusy] = useState(false)
  const submit = () => {
    const displayName = valueOf('profile-name').trim()
    const wanted = valueOf('profile-handle').trim().replace(/^@/, '').toLowerCase()
    const nameWrong = displayNameProblem(displayName)
    const handleWrong = wanted ? handleProblem(wanted) : t('account.handleEmpty')
    setErrors({ name: nameWrong ? { message: nameWrong } : null, handle: handleWrong ? { message: handleWrong } : null })
    if (nameWrong) return focusOn('profile-name')
    if (handleWrong) return focusOn('profile-handle')
    const changes = {
      ...(displayName !== user.displayName ? { displayName } : {}),
      ...(wanted !== user.handle ? { handle: wanted } : {})
    }
    if (Object.keys(changes).length === 0) return say(t('profile.nothing'))
    setBusy(true)
    me.update(changes).then(async ({ user: updated }) => {
      // Access tokens carry the name they were issued with: a fresh one carries the new name into rooms.
      if (changes.displayName && loadSession()?.kind === 'account') await refreshSession().catch(() => null)
      setBusy(false)
      say(t('profile.saved'))
      redraw(updated)
    }, (err: ApiError) => {
      setBusy(false)
      const problem = accountProblem(err, { handle: wanted })
      if (problem.field === 'handle') {
        const suggestion = problem.suggestion
        const extra = suggestion && <> <button class='suggestion' type='button' onClick={() => { setValue('profile-handle', suggestion); submit() }}>{t('signUp.useHandle', { handle: suggestion })}</button></>
        setErrors({ handle: { message: problem.message, extra } })
        return focusOn('profile-handle')
      }
      if (problem.field === 'displayName') { setErrors({ name: { message: problem.message } }); return focusOn('profile-name') }
      say(problem.message)
    })
  }
  return (
    <form class='card stack' noValidate aria-labelledby='names-title' onSubmit={(e) => { e.preventDefault(); submit() }}>
      <h2 id='names-title'>{t('profile.names')}</h2>
      <Field
        id='profile-name' name='displayName' label={t('profile.displayName')} maxLength={64} autocomplete='name' required defaultValue={user.displayName}
        error={errors.name} onClear={() => setErrors((e) => ({ ...e, name: null }))}
      />
      <Field
        id='profile-handle' name='handle' label={t('profile.handle')} hint={t('profile.handleHint')} prefix='@' maxLength={31} autocomplete='off' autocapitalize='none' spellcheck={false}
        defaultValue={user.handle} error={errors.handle} onClear={() => setErrors((e) => ({ ...e, handle: null }))}
      />
      {user.email && <p class='muted small'>{t('profile.email')} <strong>{user.email}</strong></p>}
      {user.telegram && <p class='muted small'>{t('profile.telegram')} <strong>{user.telegram.username ? `@${user.telegram.username}` : t('profile.telegramLinked')}</strong></p>}
      <div class='actions'><button class='primary' type='submit' disabled={busy}>{t('profile.save')}</button></div>
    </form>
  )
}
