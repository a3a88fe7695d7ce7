import { useState } from 'preact/hooks'
import { accountProblem, type AccountField, displayNameProblem, emailProblem, handleProblem, passwordProblem } from '../account-words.js'
import { ApiError, auth } from '../api.js'
import { errorText, t } from '../i18n/index.js'
import type { SessionAnswer } from '../session.js'
import { Field, type FieldError, focusOn, setValue, valueOf } from '../ui/field.js'

type Errors = Partial<Record<string, FieldError | null>>
type Mode = 'sign-in' | 'sign-up'

const EMAIL_INPUT = { type: 'email', required: true, autocomplete: 'username', inputMode: 'email', spellcheck: false, autocapitalize: 'none' } as const

/** Errors state for a form: set them all at once, clear one as its field is typed in. */
function useErrors () {
  const [errors, setErrors] = useState<Errors>({})
  const clear = (id: string) => () => setErrors((all) => ({ ...all, [id]: null }))
  return { errors, setErrors, clear }
}

/** Sign in with email and password; a wrong password is selected for retyping. */
export function SignInForm ({ hidden, done, show }: { hidden: boolean, done: (answer: SessionAnswer) => void, show: (mode: Mode) => void }) {
  const { errors, setErrors, clear } = useErrors()
  const [alert, setAlert] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = (event: Event) => {
    event.preventDefault()
    setAlert('')
    const email = valueOf('sign-in-email').trim()
    const password = valueOf('sign-in-password')
    const emailWrong = emailProblem(email)
    setErrors({ 'sign-in-email': emailWrong ? { message: emailWrong } : null, 'sign-in-password': password ? null : { message: t('signIn.enterPassword') } })
    if (emailWrong) return focusOn('sign-in-email')
    if (!password) return focusOn('sign-in-password')
    setBusy(true)
    auth.signIn({ email, password }).then(done, (err: unknown) => {
      setBusy(false)
      setAlert(err instanceof ApiError ? accountProblem(err, { email }).message : errorText(err))
      if (err instanceof ApiError && err.code === 'ROOM_SIGN_IN_FAILED') focusOn('sign-in-password', true)
    })
  }
  return (
    <form id='sign-in-form' class='stack' noValidate aria-labelledby='sign-in-title' hidden={hidden} onSubmit={submit}>
      <h2 id='sign-in-title'>{t('signIn.title')}</h2>
      <Field id='sign-in-email' name='email' label={t('signIn.email')} {...EMAIL_INPUT} error={errors['sign-in-email']} onClear={clear('sign-in-email')} />
      <Field id='sign-in-password' name='password' label={t('signIn.password')} password required autocomplete='current-password' maxLength={256} error={errors['sign-in-password']} onClear={clear('sign-in-password')} />
      <p class='error' role='alert'>{alert}</p>
      <div class='actions'><button class='primary' type='submit' disabled={busy}>{t('signIn.submit')}</button></div>
      <p class='switch'>{t('signIn.newHere')} <button class='link' type='button' onClick={() => show('sign-up')}>{t('signIn.create')}</button></p>
    </form>
  )
}

const UP_FIELDS: Record<string, string> = { displayName: 'sign-up-name', email: 'sign-up-email', password: 'sign-up-password', handle: 'sign-up-handle' }

/** Create an account: name, email, password, an optional handle; room-api's free handle one click away. */
export function SignUpForm ({ hidden, done, show }: { hidden: boolean, done: (answer: SessionAnswer) => void, show: (mode: Mode, email?: string) => void }) {
  const { errors, setErrors, clear } = useErrors()
  const [alert, setAlert] = useState('')
  const [busy, setBusy] = useState(false)
  const signUp = () => {
    setAlert('')
    const body = {
      displayName: valueOf('sign-up-name').trim(),
      email: valueOf('sign-up-email').trim(),
      password: valueOf('sign-up-password'),
      handle: valueOf('sign-up-handle').trim().replace(/^@/, '')
    }
    const problems: Array<[string, string | null]> = [
      ['sign-up-name', displayNameProblem(body.displayName)],
      ['sign-up-email', emailProblem(body.email)],
      ['sign-up-password', passwordProblem(body.password)],
      ['sign-up-handle', handleProblem(body.handle)]
    ]
    setErrors(Object.fromEntries(problems.map(([id, message]) => [id, message ? { message } : null])))
    const first = problems.find(([, problem]) => problem)
    if (first) return focusOn(first[0])
    setBusy(true)
    const { handle, ...rest } = body
    auth.signUp(handle ? { ...rest, handle } : rest).then(done, (err: unknown) => {
      setBusy(false)
      if (!(err instanceof ApiError)) return setAlert(errorText(err))
      const problem = accountProblem(err, { email: body.email, handle })
      const target = problem.field ? UP_FIELDS[problem.field as AccountField] : undefined
      if (!target) return setAlert(problem.message)
      const suggestion = problem.suggestion
      const extra = (
        <>
          {err.code === 'ROOM_EMAIL_TAKEN' && <> <button class='link' type='button' onClick={() => show('sign-in', body.email)}>{t('signUp.signInWithEmail')}</button></>}
          {suggestion && <> <button class='suggestion' type='button' onClick={() => { setValue('sign-up-handle', suggestion); signUp() }}>{t('signUp.useHandle', { handle: suggestion })}</button></>}
        </>
      )
      setErrors({ [target]: { message: problem.message, extra } })
      focusOn(target)
    })
  }
  return (
    <form id='sign-up-form' class='stack' noValidate aria-labelledby='sign-up-title' hidden={hidden} onSubmit={(e) => { e.preventDefault(); signUp() }}>
      <h2 id='sign-up-title'>{t('signUp.title')}</h2>
      <Field id='sign-up-name' name='displayName' label={t('signUp.name')} hint={t('signUp.nameHint')} required maxLength={64} autocomplete='name' error={errors['sign-up-name']} onClear={clear('sign-up-name')} />
      <Field id='sign-up-email' name='email' label={t('signIn.email')} hint={t('signUp.emailHint')} {...EMAIL_INPUT} error={errors['sign-up-email']} onClear={clear('sign-up-email')} />
      <Field id='sign-up-password' name='new-password' label={t('signIn.password')} hint={t('signUp.passwordHint')} password required autocomplete='new-password' maxLength={256} error={errors['sign-up-password']} onClear={clear('sign-up-password')} />
      <Field
        id='sign-up-handle' name='handle' label={t('signUp.handle')} hint={t('signUp.handleHint')} maxLength={31} autocomplete='off' autocapitalize='none' spellcheck={false}
        placeholder={t('signUp.handlePlaceholder')} error={errors['sign-up-handle']} onClear={clear('sign-up-handle')}
      />
      <p class='error' role='alert'>{alert}</p>
      <div class='actions'><button class='primary' type='submit' disabled={busy}>{t('signUp.submit')}</button></div>
      <p class='switch'>{t('signUp.haveAccount')} <button class='link' type='button' onClick={() => show('sign-in')}>{t('signUp.signInInstead')}</button></p>
    </form>
  )
}
