// Security matrix over every room endpoint: who may read or change a room, and the limits that hold.
// Complements rooms.test.ts / auth.test.ts, which check each rule once; here every endpoint is walked.
import { TICKET_AUDIENCE } from '@watch-together/protocol'
import { decodeJwt, jwtVerify, SignJWT } from 'jose'
import t from 'tap'
import { DEV_TICKET_SECRET } from '../src/config.js'
import { buildTestApp } from './helpers/app.js'

const codes = (res: { json (): { errors: Array<{ code: string }> } }) => res.json().errors.map((e) => e.code)

t.test('room endpoints: no token, a forged or expired token, a non-member, a guest', async (t) => {
  const { app, user } = await buildTestApp(t)
  const host = await user('Host')
  const guest = await user('Guest')
  const stranger = await user('Stranger')
  const created = await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(created.statusCode, 201, created.body)
  const room = created.json().room
  t.equal((await guest.call('POST', `/api/v1/invites/${room.inviteCode}/join`)).statusCode, 200)
  const url = (suffix = '') => `/api/v1/rooms/${room.id}${suffix}`

  const readers = [['GET', ''], ['POST', '/ticket']] as const
  const hostOnly = [
    ['POST', '/close', undefined],
    ['PUT', '/control-mode', { controlMode: 'host_only' }],
    ['PUT', '/host', { userId: guest.id }]
  ] as const
  const everyEndpoint = [...readers.map(([m, s]) => [m, s, undefined] as const), ['POST', '/leave', undefined] as const, ...hostOnly]

  const forged = await new SignJWT({ name: 'Host' }).setProtectedHeader({ alg: 'HS256' }).setSubject(host.id)
    .setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('not-the-secret-not-the-secret-000'))
  const expired = await app.signUserToken({ id: host.id, name: 'Host' }, -10)
  for (const [method, suffix, body] of everyEndpoint) {
    const anonymous = await app.inject({ method, url: url(suffix), ...(body ? { payload: body } : {}) })
    t.equal(anonymous.statusCode, 401, `${method} ${suffix || '/'} without a token`)
    t.same(codes(anonymous), ['ROOM_AUTH_REQUIRED'])
    t.notMatch(anonymous.body, room.inviteCode, 'no room data in the refusal')
    for (const [what, token, code] of [['forged', forged, 'ROOM_AUTH_INVALID'], ['expired', expired, 'ROOM_AUTH_EXPIRED']] as const) {
      const res = await app.inject({ method, url: url(suffix), headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) })
      t.equal(res.statusCode, 401, `${method} ${suffix || '/'} with a ${what} token`)
      t.same(codes(res), [code])
    }
    const outsider = await stranger.call(method, url(suffix), body)
    t.equal(outsider.statusCode, 403, `${method} ${suffix || '/'} by a non-member`)
    t.same(codes(outsider), ['ROOM_NOT_MEMBER'])
    t.notMatch(outsider.body, room.inviteCode, 'no room data in the refusal')
  }
  for (const [method, suffix, body] of hostOnly) {
    const res = await guest.call(method, url(suffix), body)
    t.equal(res.statusCode, 403, `${method} ${suffix} by a guest`)
    t.same(codes(res), ['ROOM_NOT_HOST'])
  }
  const after = (await host.call('GET', url())).json().room
  t.equal(after.status, 'active', 'refused requests changed nothing')
  t.equal(after.controlMode, 'everyone')
  t.equal(after.hostId, host.id)

  await t.test('a ticket names one room, one user, a short life, and is signed with the ticket secret', async (t) => {
    const res = await guest.call('POST', url('/ticket'))
    t.equal(res.statusCode, 200)
    const { ticket } = res.json()
    const { payload } = await jwtVerify(ticket, new TextEncoder().encode(DEV_TICKET_SECRET), { audience: TICKET_AUDIENCE })
    t.equal(payload.room, room.id)
    t.equal(payload.sub, guest.id)
    t.equal(payload.role, 'guest')
    t.ok((payload.exp ?? 0) - (payload.iat ?? 0) <= 60, 'lives at most TICKET_TTL_SECONDS')
    t.notOk(decodeJwt(ticket).inviteCode, 'no invite code inside')
    const asBearer = await app.inject({ method: 'GET', url: url(), headers: { authorization: `Bearer ${ticket}` } })
    t.equal(asBearer.statusCode, 401, 'a realtime ticket is not a user token')
  })

  await t.test('a member who left loses access to details and tickets', async (t) => {
    t.equal((await guest.call('POST', url('/leave'))).statusCode, 200)
    t.same(codes(await guest.call('POST', url('/ticket'))), ['ROOM_NOT_MEMBER'])
  })
})

t.test('watchlists and friends are per user; the catalog is public', async (t) => {
  const { app, user } = await buildTestApp(t)
  for (const path of ['/api/v1/me/watchlist', '/api/v1/me/friends', '/api/v1/me/matches']) {
    const res = await app.inject({ method: 'GET', url: path })
    t.equal(res.statusCode, 401, path)
  }
  const ann = await user('Ann')
  const ben = await user('Ben')
  t.equal((await ann.call('PUT', '/api/v1/me/watchlist/sintel')).statusCode < 300, true)
  const bens = (await ben.call('GET', '/api/v1/me/watchlist')).json()
  t.notMatch(JSON.stringify(bens), 'sintel', "another user's list is not visible")
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/films' })).statusCode, 200)
})

t.test('rate limits: sign-in per client, room creation per user, both recover only after the window', async (t) => {
  const { app, user } = await buildTestApp(t, { RATE_LIMIT_SIGN_IN_MAX: '3', RATE_LIMIT_CREATE_MAX: '1' })
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/dev-sign-in', payload: { name: `n${i}` }, remoteAddress: '10.0.0.7' })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [200, 200, 200, 429, 429, 429], 'the limit holds under repeated attempts')
  const other = await app.inject({ method: 'POST', url: '/api/v1/auth/dev-sign-in', payload: { name: 'x' }, remoteAddress: '10.0.0.8' })
  t.equal(other.statusCode, 200, 'another client is not limited')
  const spoofed = await app.inject({ method: 'POST', url: '/api/v1/auth/dev-sign-in', payload: { name: 'x' }, remoteAddress: '10.0.0.7', headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.equal(spoofed.statusCode, 429, 'TRUST_PROXY is off by default: a direct client cannot pick its address with X-Forwarded-For')

  const owner = await user('Owner')
  const first = await owner.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(first.statusCode, 201)
  t.equal((await owner.call('POST', `/api/v1/rooms/${first.json().room.id}/close`)).statusCode, 200)
  const second = await owner.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(second.statusCode, 429, 'closing the room does not reset the creation limit')
  t.same(codes(second), ['ROOM_RATE_LIMITED'])
})

t.test('TRUST_PROXY names the proxies whose X-Forwarded-For is believed', async (t) => {
  const { app } = await buildTestApp(t, { RATE_LIMIT_SIGN_IN_MAX: '1', TRUST_PROXY: '10.0.0.1' })
  const signIn = (remoteAddress: string, forwardedFor: string) => app.inject({
    method: 'POST', url: '/api/v1/auth/dev-sign-in', payload: { name: 'x' }, remoteAddress, headers: { 'x-forwarded-for': forwardedFor }
  })
  t.equal((await signIn('10.0.0.1', '198.51.100.1')).statusCode, 200)
  t.equal((await signIn('10.0.0.1', '198.51.100.1')).statusCode, 429, 'the client behind the trusted proxy is limited')
  t.equal((await signIn('10.0.0.1', '198.51.100.2')).statusCode, 200, 'another client behind the proxy has its own budget')
  t.equal((await signIn('10.0.0.99', '198.51.100.3')).statusCode, 200)
  t.equal((await signIn('10.0.0.99', '198.51.100.4')).statusCode, 429, 'an untrusted sender is limited by its own address whatever it claims')
})

t.test('a path id longer than the router limit gets the 400 envelope, not a bare 414', async (t) => {
  const { user } = await buildTestApp(t)
  const ann = await user('Ann')
  for (const url of [`/api/v1/rooms/${'a'.repeat(150)}`, `/api/v1/rooms/${'b'.repeat(5000)}/join`, `/api/v1/invites/${'c'.repeat(200)}/join`, `/api/v1/films/${'d'.repeat(300)}`]) {
    const res = await ann.call(url.endsWith('join') ? 'POST' : 'GET', url)
    t.equal(res.statusCode, 400, url.slice(0, 40))
    t.equal(res.json().success, false)
    t.equal(res.json().errors[0].code, 'VALIDATION_FAILED')
    t.match(res.json().errors[0].path, /^params\./)
  }
})
