// Brute-force protection on password sign-in, against real PostgreSQL: a lock per email (known or
// not, with the same answer) and per client address, lifted when its time is up.
import { uniqueName } from '@watch-together/test-kit'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { createBrowser } from './helpers/browser.js'

const code = (res: { json: () => { errors: Array<{ code: string }> } }) => res.json().errors[0]?.code

t.test('per account: locked after the limit, the right password included; unknown emails alike; the lock expires', async (t) => {
  const { app } = await buildTestApp(t, { SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', SIGN_IN_LOCK_MS: '1500', RATE_LIMIT_SIGN_IN_MAX: '1000' })
  const email = `${uniqueName('lock')}@example.test`
  await createBrowser(app).signUp({ email, password: 'the right password' })
  const nobody = `${uniqueName('nobody')}@example.test`

  for (let i = 0; i < 3; i++) {
    t.equal(code(await createBrowser(app, { ip: `10.9.0.${i}` }).signIn(email, 'wrong guess')), 'ROOM_SIGN_IN_FAILED')
    t.equal(code(await createBrowser(app, { ip: `10.9.1.${i}` }).signIn(nobody, 'wrong guess')), 'ROOM_SIGN_IN_FAILED')
  }
  const locked = await createBrowser(app, { ip: '10.9.2.1' }).signIn(email, 'the right password')
  t.equal(locked.statusCode, 429, 'from another address, with the right password: still locked')
  t.equal(code(locked), 'ROOM_SIGN_IN_LOCKED')
  t.ok(Number(locked.headers['retry-after']) >= 1, 'Retry-After says when')
  const lockedUnknown = await createBrowser(app, { ip: '10.9.2.2' }).signIn(nobody, 'anything')
  t.equal(lockedUnknown.statusCode, 429)
  t.same(lockedUnknown.json().errors.map((e: { code: string }) => e.code), ['ROOM_SIGN_IN_LOCKED'], 'an unknown email locks the same way')
  t.equal((await createBrowser(app, { ip: '10.9.2.3' }).signUp()).statusCode, 201, 'other accounts are not affected')

  await new Promise((resolve) => setTimeout(resolve, 1600))
  const after = await createBrowser(app, { ip: '10.9.2.4' }).signIn(email, 'the right password')
  t.equal(after.statusCode, 200, 'the lock expires')
  t.equal(code(await createBrowser(app).signIn(email, 'wrong again')), 'ROOM_SIGN_IN_FAILED', 'a success cleared the count: one failure is not a lock')
  t.equal((await createBrowser(app).signIn(email, 'the right password')).statusCode, 200)
})

t.test('per address: many emails from one address lock that address only', async (t) => {
  const { app } = await buildTestApp(t, { SIGN_IN_MAX_FAILURES_PER_ADDRESS: '4', RATE_LIMIT_SIGN_IN_MAX: '1000' })
  const email = `${uniqueName('addr')}@example.test`
  await createBrowser(app).signUp({ email, password: 'the right password' })
  for (let i = 0; i < 4; i++) {
    t.equal(code(await createBrowser(app, { ip: '10.8.0.1' }).signIn(`${uniqueName('spray')}@example.test`, 'password1')), 'ROOM_SIGN_IN_FAILED')
  }
  const locked = await createBrowser(app, { ip: '10.8.0.1' }).signIn(email, 'the right password')
  t.equal(code(locked), 'ROOM_SIGN_IN_LOCKED', 'the sprayer address is locked, for every email')
  t.equal((await createBrowser(app, { ip: '10.8.0.2' }).signIn(email, 'the right password')).statusCode, 200, 'another address is not')
})

t.test('a stolen access token does not buy unlimited password guesses through change-password', async (t) => {
  const { app } = await buildTestApp(t, { SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '2' })
  const tab = createBrowser(app)
  await tab.signUp({ password: 'the right password' })
  for (let i = 0; i < 2; i++) {
    t.equal(code(await tab.call('POST', '/api/v1/auth/change-password', { currentPassword: 'guess', newPassword: 'new password 123' })), 'ROOM_PASSWORD_WRONG')
  }
  const locked = await tab.call('POST', '/api/v1/auth/change-password', { currentPassword: 'the right password', newPassword: 'new password 123' })
  t.equal(code(locked), 'ROOM_SIGN_IN_LOCKED')
})

t.test('the sweeper forgets finished windows and locks', async (t) => {
  const { app } = await buildTestApp(t, { SIGN_IN_FAILURE_WINDOW_MS: '1000', AUTH_SWEEP_MS: '1000' })
  await createBrowser(app).signIn(`${uniqueName('gone')}@example.test`, 'wrong')
  t.equal((await app.pg.query('SELECT count(*)::int AS n FROM sign_in_throttle')).rows[0].n, 2, 'one row per email, one per address')
  await new Promise((resolve) => setTimeout(resolve, 2500))
  t.equal((await app.pg.query('SELECT count(*)::int AS n FROM sign_in_throttle')).rows[0].n, 0)
})
