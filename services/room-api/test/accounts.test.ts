// Accounts of our own, against real PostgreSQL: sign-up, sign-in, the session cookies, refresh
// rotation and reuse detection, CSRF refusals, sign-out (here and everywhere), password change.
import { MeResponse, SessionResponse } from '@watch-together/protocol'
import { uniqueName } from '@watch-together/test-kit'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { createBrowser } from './helpers/browser.js'

const code = (res: { json: () => { errors: Array<{ code: string }> } }) => res.json().errors[0]?.code

t.test('sign up: a session (access token, cookies, CSRF token), a profile, argon2id at rest', async (t) => {
  const { app } = await buildTestApp(t)
  const ann = createBrowser(app)
  const email = `${uniqueName('ann')}@Example.TEST`
  const res = await ann.signUp({ email, displayName: 'Ann Lee', password: 'a long enough password' })
  t.equal(res.statusCode, 201, res.body)
  const body = SessionResponse.parse(res.json())
  t.equal(body.user.email, email.toLowerCase(), 'email stored lowercase')
  t.equal(body.user.handle, 'ann_lee', 'handle made from the display name')
  t.equal(body.user.name, 'Ann Lee')
  t.equal(body.user.hasPassword, true)
  t.match(body.user.avatarUrl, /^\/api\/v1\/users\/[0-9a-f-]{36}\/avatar\?v=0$/)
  t.equal(res.headers['cache-control'], 'no-store')

  const refresh = ann.cookies.get('wt_refresh')
  const csrf = ann.cookies.get('wt_csrf')
  t.ok(refresh && refresh.httpOnly && refresh.sameSite === 'Strict' && refresh.path === '/api/v1/auth', 'refresh cookie: httpOnly, Strict, auth path only')
  t.ok(csrf && !csrf.httpOnly && csrf.sameSite === 'Strict' && csrf.path === '/', 'CSRF cookie: readable by the page')
  t.equal(csrf?.value, body.csrfToken)
  t.notOk(JSON.stringify(body).includes(refresh?.value ?? 'x'), 'the refresh token is never in a body')
  const setCookie = String(res.headers['set-cookie'])
  t.notMatch(setCookie, /Secure/, 'not Secure outside production by default')

  // The access token is an ordinary bearer JWT: every existing route accepts it.
  const me = await ann.call('GET', '/api/v1/me')
  t.equal(me.statusCode, 200)
  t.same(MeResponse.parse(me.json()).user, body.user)
  const room = await ann.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(room.statusCode, 201)
  t.equal(room.json().room.members[0].name, 'Ann Lee', 'the display name is the token name claim')

  const { rows } = await app.pg.query('SELECT password_hash FROM users WHERE id = $1', [body.user.id])
  t.match(rows[0].password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)

  const again = await createBrowser(app).signUp({ email: email.toUpperCase() })
  t.equal(again.statusCode, 409)
  t.equal(code(again), 'ROOM_EMAIL_TAKEN')
  const taken = await createBrowser(app).signUp({ handle: '@Ann_Lee' })
  t.equal(taken.statusCode, 409)
  t.equal(code(taken), 'ROOM_HANDLE_TAKEN')
  t.match(taken.json().errors[0].suggestion, /^ann_lee_\d+$/, 'a free handle is suggested')
  const second = await createBrowser(app).signUp({ displayName: 'Ann Lee' })
  t.match(second.json().user.handle, /^ann_lee_\d+$/, 'a generated handle steps around a taken one')

  for (const [fields, path] of [
    [{ email: 'not-an-email' }, 'body.email'],
    [{ password: 'short' }, 'body.password'],
    [{ displayName: ' ' }, 'body.displayName'],
    [{ displayName: 'evil\u202eright-to-left' }, 'body.displayName'],
    [{ handle: '1abc' }, 'body.handle'],
    [{ handle: 'admin' }, 'body.handle']
  ] as const) {
    const bad = await createBrowser(app).signUp(fields)
    t.equal(bad.statusCode, 400, JSON.stringify(fields))
    t.equal(bad.json().errors[0].path, path)
  }
})

t.test('sign in: unknown email and wrong password answer alike, in similar time', async (t) => {
  const { app } = await buildTestApp(t, { RATE_LIMIT_SIGN_IN_MAX: '1000', SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '1000', SIGN_IN_MAX_FAILURES_PER_ADDRESS: '1000' })
  const email = `${uniqueName('bo')}@example.test`
  await createBrowser(app).signUp({ email, password: 'bo password 123' })

  const good = await createBrowser(app).signIn(email, 'bo password 123')
  t.equal(good.statusCode, 200)
  t.ok(good.json().token)
  const wrong = await createBrowser(app).signIn(email, 'not the password')
  const unknown = await createBrowser(app).signIn(`${uniqueName('nobody')}@example.test`, 'not the password')
  t.equal(wrong.statusCode, 401)
  t.same(wrong.json(), { success: false, errors: [{ code: 'ROOM_SIGN_IN_FAILED', message: 'the email or the password is wrong' }] })
  t.equal(unknown.statusCode, wrong.statusCode)
  t.equal(unknown.body, wrong.body, 'byte for byte the same body')
  t.same(Object.keys(unknown.headers).sort(), Object.keys(wrong.headers).sort(), 'the same headers')
  t.notOk(wrong.headers['set-cookie'], 'no cookies on failure')

  // Both paths run argon2 (a dummy hash for the unknown email): medians within a loose bound.
  const time = async (mail: string) => {
    const start = process.hrtime.bigint()
    await createBrowser(app).signIn(mail, 'not the password')
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  const known: number[] = []
  const missing: number[] = []
  for (let i = 0; i < 7; i++) {
    known.push(await time(email))
    missing.push(await time(`${uniqueName('nobody')}@example.test`))
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  const ratio = median(missing) / median(known)
  // Loose on purpose (a shared, loaded machine): without the dummy hash the unknown email answers ~100× faster.
  t.ok(ratio > 0.2 && ratio < 5, `unknown / known median time ${ratio.toFixed(2)} (${median(missing).toFixed(1)} / ${median(known).toFixed(1)} ms)`)
})

t.test('refresh: rotates the token; a reused token revokes its whole family', async (t) => {
  const { app } = await buildTestApp(t)
  const tab = createBrowser(app)
  await tab.signUp()
  const first = tab.cookies.get('wt_refresh')?.value as string
  const csrf = tab.cookies.get('wt_csrf')?.value as string

  const r1 = await tab.withCsrf('/api/v1/auth/refresh')
  t.equal(r1.statusCode, 200, r1.body)
  const second = tab.cookies.get('wt_refresh')?.value as string
  t.not(second, first, 'a new refresh token each time')
  t.equal(r1.json().csrfToken, csrf, 'the CSRF token stays for the session')
  t.ok(r1.json().token, 'a fresh access token')
  t.equal((await tab.call('GET', '/api/v1/me')).statusCode, 200)

  // A thief replays the first token (with the CSRF token, the strongest case).
  const thief = createBrowser(app)
  thief.cookies.set('wt_refresh', { value: first, path: '/api/v1/auth', httpOnly: true, sameSite: 'Strict' })
  thief.cookies.set('wt_csrf', { value: csrf, path: '/', httpOnly: false, sameSite: 'Strict' })
  const reused = await thief.withCsrf('/api/v1/auth/refresh')
  t.equal(reused.statusCode, 401)
  t.equal(code(reused), 'ROOM_REFRESH_REUSED')
  t.notOk(thief.cookies.has('wt_refresh'), "the reuser's cookies are cleared")
  const owner = await tab.withCsrf('/api/v1/auth/refresh')
  t.equal(code(owner), 'ROOM_SESSION_REVOKED', "the family is revoked: the owner's current token is dead too")
  const { rows } = await app.pg.query('SELECT revoke_reason FROM sessions WHERE user_id = $1', [tab.userId])
  t.same(rows, [{ revoke_reason: 'reuse' }])

  // Another session of the same user is untouched.
  const other = createBrowser(app)
  const email = `${uniqueName('c')}@example.test`
  await createBrowser(app).signUp({ email })
  await other.signIn(email, 'correct horse battery')
  const otherTab = createBrowser(app)
  await otherTab.signIn(email, 'correct horse battery')
  const stolen = other.cookies.get('wt_refresh')?.value as string
  await other.withCsrf('/api/v1/auth/refresh')
  other.cookies.set('wt_refresh', { value: stolen, path: '/api/v1/auth', httpOnly: true, sameSite: 'Strict' })
  t.equal(code(await other.withCsrf('/api/v1/auth/refresh')), 'ROOM_REFRESH_REUSED')
  t.equal((await otherTab.withCsrf('/api/v1/auth/refresh')).statusCode, 200, 'a session of another sign-in lives on')

  // Two refreshes of one token at once: one wins, the other is reuse.
  const racer = createBrowser(app)
  await racer.signUp()
  const results = await Promise.all([racer.withCsrf('/api/v1/auth/refresh'), racer.withCsrf('/api/v1/auth/refresh')])
  t.same(results.map((r) => r.statusCode).sort(), [200, 401])

  const none = await createBrowser(app).withCsrf('/api/v1/auth/refresh')
  t.equal(code(none), 'ROOM_REFRESH_INVALID')
  const garbage = createBrowser(app)
  garbage.cookies.set('wt_refresh', { value: 'x'.repeat(500), path: '/api/v1/auth', httpOnly: true, sameSite: 'Strict' })
  t.equal(code(await garbage.withCsrf('/api/v1/auth/refresh')), 'ROOM_REFRESH_INVALID')
})

t.test('an expired refresh token is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const tab = createBrowser(app)
  await tab.signUp()
  await app.pg.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
  t.equal(code(await tab.withCsrf('/api/v1/auth/refresh')), 'ROOM_REFRESH_INVALID')
})

t.test('CSRF: refresh and sign-out need the session\'s token in x-csrf-token; a refusal changes nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const tab = createBrowser(app)
  await tab.signUp()
  const other = createBrowser(app)
  await other.signUp()
  const before = tab.cookies.get('wt_refresh')?.value

  for (const headers of [{}, { 'x-csrf-token': 'forged' }, { 'x-csrf-token': other.cookies.get('wt_csrf')?.value as string }, { 'x-csrf-token': '' }] as Array<Record<string, string>>) {
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/sign-out']) {
      const res = await tab.call('POST', path, undefined, headers)
      t.equal(res.statusCode, 403, `${path} ${JSON.stringify(headers)}`)
      t.equal(code(res), 'ROOM_CSRF_FAILED')
      t.notOk(res.headers['set-cookie'], 'no cookie is set or cleared')
    }
  }
  t.equal(tab.cookies.get('wt_refresh')?.value, before)
  const refreshed = await tab.withCsrf('/api/v1/auth/refresh')
  t.equal(refreshed.statusCode, 200, 'the session still works with the right token')

  // Login CSRF: a cross-site form can only send text/plain or form bodies; neither signs anyone in.
  const form = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { 'content-type': 'text/plain' }, payload: '{"email":"a@b.c","password":"x"}' })
  t.equal(form.statusCode, 400)
  const urlencoded = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a%40b.c&password=x' })
  t.equal(urlencoded.statusCode, 415)
})

t.test('sign out, sign out everywhere', async (t) => {
  const { app } = await buildTestApp(t)
  const email = `${uniqueName('d')}@example.test`
  const laptop = createBrowser(app)
  await laptop.signUp({ email })
  const phone = createBrowser(app)
  await phone.signIn(email, 'correct horse battery')
  const tablet = createBrowser(app)
  await tablet.signIn(email, 'correct horse battery')

  const out = await laptop.withCsrf('/api/v1/auth/sign-out')
  t.same(out.json(), { success: true, errors: [], revokedSessions: 1 })
  t.notOk(laptop.cookies.has('wt_refresh'), 'cookies cleared')
  t.notOk(laptop.cookies.has('wt_csrf'))
  t.same((await laptop.withCsrf('/api/v1/auth/sign-out')).json().revokedSessions, 0, 'signing out again is harmless')
  t.equal((await phone.withCsrf('/api/v1/auth/refresh')).statusCode, 200, 'other devices stay signed in')

  const everywhere = await phone.call('POST', '/api/v1/auth/sign-out-everywhere')
  t.same(everywhere.json(), { success: true, errors: [], revokedSessions: 2 })
  t.equal(code(await tablet.withCsrf('/api/v1/auth/refresh')), 'ROOM_SESSION_REVOKED')
  const noBearer = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-out-everywhere' })
  t.equal(code(noBearer), 'ROOM_AUTH_REQUIRED')
})

t.test('change password: the current one is checked; every session ends but the new one', async (t) => {
  const { app } = await buildTestApp(t)
  const email = `${uniqueName('e')}@example.test`
  const one = createBrowser(app)
  await one.signUp({ email, password: 'first password 1' })
  const two = createBrowser(app)
  await two.signIn(email, 'first password 1')

  const wrong = await one.call('POST', '/api/v1/auth/change-password', { currentPassword: 'nope', newPassword: 'second password 2' })
  t.equal(wrong.statusCode, 403)
  t.equal(code(wrong), 'ROOM_PASSWORD_WRONG')
  const weak = await one.call('POST', '/api/v1/auth/change-password', { currentPassword: 'first password 1', newPassword: 'short' })
  t.equal(weak.json().errors[0].path, 'body.newPassword')
  const changed = await one.call('POST', '/api/v1/auth/change-password', { currentPassword: 'first password 1', newPassword: 'second password 2' })
  t.equal(changed.statusCode, 200, 'changed')
  t.equal((await one.withCsrf('/api/v1/auth/refresh')).statusCode, 200, 'the new session works')
  t.equal(code(await two.withCsrf('/api/v1/auth/refresh')), 'ROOM_SESSION_REVOKED', 'the other device is signed out')
  t.equal((await createBrowser(app).signIn(email, 'first password 1')).statusCode, 401)
  t.equal((await createBrowser(app).signIn(email, 'second password 2')).statusCode, 200)
})

t.test('ACCOUNTS=false: the routes answer ROOM_ACCOUNTS_DISABLED; providers say so', async (t) => {
  const { app, user } = await buildTestApp(t, { ACCOUNTS: 'false' })
  const res = await createBrowser(app).signUp()
  t.equal(res.statusCode, 404)
  t.equal(code(res), 'ROOM_ACCOUNTS_DISABLED')
  t.same((await app.inject('/api/v1/auth/providers')).json(), { success: true, errors: [], password: false, telegram: null, devSignIn: true })
  const external = await user('Ext')
  const me = await external.call('GET', '/api/v1/me')
  t.equal(me.statusCode, 200, 'a bearer-token user still has a profile')
  t.same({ ...me.json().user, handle: 'x' }, { id: external.id, handle: 'x', name: 'Ext', displayName: 'Ext', avatarUrl: `/api/v1/users/${external.id}/avatar?v=0`, email: null, hasPassword: false, telegram: null })
})
