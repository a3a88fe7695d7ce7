import { SignJWT } from 'jose'
import t from 'tap'
import { DEV_JWT_SECRET } from '../src/config.js'
import { buildTestApp } from './helpers/app.js'

const key = new TextEncoder().encode(DEV_JWT_SECRET)
const sign = (claims: Record<string, unknown>, opts: { exp?: number | string, alg?: string, secret?: Uint8Array } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).setSubject('user-1').setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h').sign(opts.secret ?? key)

t.test('bearer tokens: missing, malformed, forged, expired → 401 with stable codes', async (t) => {
  const { app } = await buildTestApp(t)
  const get = (authorization?: string) => app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: authorization ? { authorization } : {} })

  const none = await get()
  t.equal(none.statusCode, 401)
  t.same(none.json(), { success: false, errors: [{ code: 'ROOM_AUTH_REQUIRED', message: 'a bearer token is required' }] })
  t.equal((await get('Basic abc')).json().errors[0].code, 'ROOM_AUTH_REQUIRED')
  t.equal((await get('Bearer not.a.jwt')).json().errors[0].code, 'ROOM_AUTH_INVALID')
  const forged = await sign({ name: 'Mallory' }, { secret: new TextEncoder().encode('x'.repeat(40)) })
  t.equal((await get(`Bearer ${forged}`)).json().errors[0].code, 'ROOM_AUTH_INVALID')
  const expired = await sign({ name: 'Old' }, { exp: Math.floor(Date.now() / 1000) - 60 })
  const res = await get(`Bearer ${expired}`)
  t.equal(res.statusCode, 401)
  t.equal(res.json().errors[0].code, 'ROOM_AUTH_EXPIRED')
  const noSub = await new SignJWT({ name: 'x' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key)
  t.equal((await get(`Bearer ${noSub}`)).json().errors[0].code, 'ROOM_AUTH_INVALID')

  const good = await sign({ name: 'Valid User' })
  const ok = await get(`Bearer ${good}`)
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { success: true, errors: [], items: [] })
})

t.test('the display name comes from the configured claim, else the user id', async (t) => {
  const { app } = await buildTestApp(t, { JWT_NAME_CLAIM: 'preferred_username' })
  const token = await sign({ preferred_username: 'Petr' })
  const created = await app.inject({ method: 'POST', url: '/api/v1/rooms', headers: { authorization: `Bearer ${token}` }, payload: { filmId: 'sintel' } })
  t.equal(created.json().room.members[0].name, 'Petr')
})

t.test('dev sign-in mints a working token and is rate limited', async (t) => {
  const { app } = await buildTestApp(t, { RATE_LIMIT_SIGN_IN_MAX: '2' })
  const signIn = (body: unknown) => app.inject({ method: 'POST', url: '/api/v1/auth/dev-sign-in', payload: body as object })
  const res = await signIn({ name: 'Vasily' })
  t.equal(res.statusCode, 200, res.body)
  const { token, user } = res.json()
  t.equal(user.name, 'Vasily')
  const me = await app.inject({ method: 'GET', url: '/api/v1/me/friends', headers: { authorization: `Bearer ${token}` } })
  t.equal(me.statusCode, 200)
  const fixed = await signIn({ name: 'Petr', userId: 'petr-1' })
  t.equal(fixed.json().user.id, 'petr-1')
  const bad = await signIn({ name: '' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, 'body.name')
  const limited = await signIn({ name: 'Too many' })
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().errors[0].code, 'ROOM_RATE_LIMITED')
})

t.test('dev sign-in does not exist unless enabled', async (t) => {
  const { app } = await buildTestApp(t, { DEV_SIGN_IN: 'false' })
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/dev-sign-in', payload: { name: 'x' } })
  t.equal(res.statusCode, 404)
})

t.test('room creation is rate limited per user', async (t) => {
  const { user } = await buildTestApp(t, { RATE_LIMIT_CREATE_MAX: '2' })
  const hana = await user('Hana')
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await hana.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).statusCode)
  t.same(statuses, [201, 409, 429])
  const other = await user('Ivan')
  t.equal((await other.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).statusCode, 201, 'another user is not limited')
})

t.test('HS256 checks: algorithm pinned, issuer and audience when configured, nbf honoured', async (t) => {
  const { app } = await buildTestApp(t, { JWT_ISSUER: 'https://auth.example', JWT_AUDIENCE: 'watch-together' })
  const code = async (token: string) => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: { authorization: `Bearer ${token}` } })
    return res.statusCode === 200 ? 'ok' : res.json().errors[0].code
  }
  const base = () => new SignJWT({ name: 'Ivy' }).setProtectedHeader({ alg: 'HS256' }).setSubject('ivy-1').setIssuedAt().setExpirationTime('1h')
  t.equal(await code(await base().setIssuer('https://auth.example').setAudience('watch-together').sign(key)), 'ok')
  t.equal(await code(await base().setIssuer('https://evil.example').setAudience('watch-together').sign(key)), 'ROOM_AUTH_INVALID', 'wrong issuer')
  t.equal(await code(await base().setIssuer('https://auth.example').setAudience('another-app').sign(key)), 'ROOM_AUTH_INVALID', 'wrong audience')
  t.equal(await code(await base().sign(key)), 'ROOM_AUTH_INVALID', 'issuer and audience missing')
  t.equal(await code(await base().setIssuer('https://auth.example').sign(key)), 'ROOM_AUTH_INVALID', 'audience missing')
  t.equal(await code(await base().setAudience('watch-together').sign(key)), 'ROOM_AUTH_INVALID', 'issuer missing')
  t.equal(await code(await base().setIssuer('https://auth.example').setAudience('watch-together').setNotBefore('1h').sign(key)), 'ROOM_AUTH_INVALID', 'not yet valid')
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const claims = b64({ sub: 'ivy-1', iss: 'https://auth.example', aud: 'watch-together', exp: Math.floor(Date.now() / 1000) + 3600 })
  t.equal(await code(`${b64({ alg: 'none' })}.${claims}.`), 'ROOM_AUTH_INVALID', 'alg none')
  const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('ivy-1').setIssuer('https://auth.example')
    .setAudience('watch-together').setExpirationTime('1h').sign(new TextEncoder().encode(DEV_JWT_SECRET.repeat(2)))
  t.equal(await code(hs512), 'ROOM_AUTH_INVALID', 'another HMAC algorithm')
})
