import { TICKET_AUDIENCE, TicketClaims } from '@watch-together/protocol'
import { jwtVerify } from 'jose'
import t from 'tap'
import { DEV_TICKET_SECRET } from '../src/config.js'
import { buildTestApp, type TestUser } from './helpers/app.js'

const codes = (res: { json (): { errors: Array<{ code: string }> } }) => res.json().errors.map((e) => e.code)
const roles = (room: { members: Array<{ name: string, role: string, leftAt: string | null }> }) =>
  room.members.filter((m) => m.leftAt === null).map((m) => `${m.name}:${m.role}`).sort()

t.test('room lifecycle', async (t) => {
  const { app, user } = await buildTestApp(t)
  const alice = await user('Alice')
  const bob = await user('Bob')
  const carol = await user('Carol')
  const dave = await user('Dave')

  const created = await alice.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(created.statusCode, 201, created.body)
  const { room, link, success, errors } = created.json()
  t.equal(success, true)
  t.same(errors, [])
  t.match(room.inviteCode, /^[0-9A-Za-z]{12}$/, 'invite code: 12 base62 characters')
  t.equal(link, `http://127.0.0.1:3001/r/${room.inviteCode}`)
  t.equal(room.hostId, alice.id)
  t.equal(room.ownerId, alice.id)
  t.equal(room.status, 'active')
  t.equal(room.controlMode, 'everyone', 'everyone controls playback by default')
  t.equal(room.film.title, 'Sintel')
  const url = (suffix = '') => `/api/v1/rooms/${room.id}${suffix}`

  await t.test('a second active room for the same owner is a 409', async (t) => {
    const again = await alice.call('POST', '/api/v1/rooms', { filmId: 'big-buck-bunny' })
    t.equal(again.statusCode, 409)
    t.same(codes(again), ['ROOM_ALREADY_ACTIVE'])
    t.equal(again.json().success, false)
  })

  await t.test('details are for members only', async (t) => {
    t.equal((await alice.call('GET', url())).statusCode, 200)
    const stranger = await dave.call('GET', url())
    t.equal(stranger.statusCode, 403)
    t.same(codes(stranger), ['ROOM_NOT_MEMBER'])
  })

  await t.test('join by id and by code; joining twice changes nothing', async (t) => {
    const byCode = await bob.call('POST', `/api/v1/invites/${room.inviteCode}/join`)
    t.equal(byCode.statusCode, 200, byCode.body)
    const byId = await carol.call('POST', url('/join'))
    t.equal(byId.statusCode, 200)
    t.same(roles(byId.json().room), ['Alice:host', 'Bob:guest', 'Carol:guest'])
    const twice = await carol.call('POST', url('/join'))
    t.equal(twice.statusCode, 200)
    t.equal(twice.json().room.members.length, 3)
  })

  await t.test('host-only actions answer 403 to guests', async (t) => {
    for (const [method, suffix, body] of [
      ['POST', '/close', undefined],
      ['PUT', '/control-mode', { controlMode: 'host_only' }],
      ['PUT', '/host', { userId: bob.id }]
    ] as const) {
      const res = await bob.call(method, url(suffix), body)
      t.equal(res.statusCode, 403, suffix)
      t.same(codes(res), ['ROOM_NOT_HOST'])
    }
    const outsider = await dave.call('POST', url('/close'))
    t.same(codes(outsider), ['ROOM_NOT_MEMBER'])
  })

  await t.test('control mode (host only)', async (t) => {
    const res = await alice.call('PUT', url('/control-mode'), { controlMode: 'host_only' })
    t.equal(res.statusCode, 200)
    t.equal(res.json().room.controlMode, 'host_only')
    const bad = await alice.call('PUT', url('/control-mode'), { controlMode: 'nobody' })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().errors[0].path, 'body.controlMode')
  })

  await t.test('transfer host, then the host leaves: the longest-present member takes over', async (t) => {
    const absent = await alice.call('PUT', url('/host'), { userId: dave.id })
    t.equal(absent.statusCode, 409)
    t.same(codes(absent), ['ROOM_TARGET_NOT_PRESENT'])
    const moved = await alice.call('PUT', url('/host'), { userId: carol.id })
    t.equal(moved.statusCode, 200)
    t.equal(moved.json().room.hostId, carol.id)
    // Carol (host) leaves: Alice joined first, so Alice hosts again.
    const left = await carol.call('POST', url('/leave'))
    t.equal(left.statusCode, 200)
    t.same(left.json(), { success: true, errors: [] })
    const after = (await alice.call('GET', url())).json().room
    t.equal(after.hostId, alice.id)
    t.same(roles(after), ['Alice:host', 'Bob:guest'])
    const notIn = await carol.call('POST', url('/leave'))
    t.equal(notIn.statusCode, 403)
    t.same(codes(notIn), ['ROOM_NOT_MEMBER'])
  })

  await t.test('a guest leaving never closes the room; a rejoin comes back as guest', async (t) => {
    t.equal((await bob.call('POST', url('/leave'))).statusCode, 200)
    const details = (await alice.call('GET', url())).json().room
    t.equal(details.status, 'active')
    const back = await bob.call('POST', url('/join'))
    t.same(roles(back.json().room), ['Alice:host', 'Bob:guest'])
  })

  await t.test('realtime ticket', async (t) => {
    const res = await bob.call('POST', url('/ticket'))
    t.equal(res.statusCode, 200, res.body)
    const { payload } = await jwtVerify(res.json().ticket, new TextEncoder().encode(DEV_TICKET_SECRET), { audience: TICKET_AUDIENCE })
    const claims = TicketClaims.parse(payload)
    t.equal(claims.sub, bob.id)
    t.equal(claims.name, 'Bob')
    t.equal(claims.room, room.id)
    t.equal(claims.role, 'guest')
    t.equal(claims.controlMode, 'host_only')
    const film = (await app.pg.query('SELECT film_id, duration_sec FROM rooms r JOIN films f ON f.id = r.film_id WHERE r.id = $1', [room.id])).rows[0]
    t.same(claims.film, { id: film.film_id, durationMs: film.duration_sec * 1000 }, 'the room\'s film and its length, for realtime')
    t.ok(claims.exp - claims.iat <= 60, 'short-lived')
    t.equal(res.json().expiresAt, new Date(claims.exp * 1000).toISOString())
    const outsider = await dave.call('POST', url('/ticket'))
    t.equal(outsider.statusCode, 403)
  })

  await t.test('close (host only), then the room refuses joins and changes with 410', async (t) => {
    const closed = await alice.call('POST', url('/close'))
    t.equal(closed.statusCode, 200)
    t.equal(closed.json().room.status, 'closed')
    t.ok(closed.json().room.closedAt)
    for (const [who, method, suffix] of [
      [dave, 'POST', '/join'], [bob, 'POST', '/leave'], [alice, 'POST', '/close'], [bob, 'POST', '/ticket']
    ] as Array<[TestUser, 'POST', string]>) {
      const res = await who.call(method, url(suffix))
      t.equal(res.statusCode, 410, suffix)
      t.same(codes(res), ['ROOM_CLOSED'])
    }
    const byCode = await dave.call('POST', `/api/v1/invites/${room.inviteCode}/join`)
    t.equal(byCode.statusCode, 410)
    const details = await alice.call('GET', url())
    t.equal(details.statusCode, 200, 'a closed room can still be read')
    const next = await alice.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
    t.equal(next.statusCode, 201, 'after closing, the owner may open another room')
  })
})

t.test('the last one out leaves an empty room open; the first one back hosts it', async (t) => {
  const { user } = await buildTestApp(t)
  const erin = await user('Erin')
  const frank = await user('Frank')
  const room = (await erin.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  t.equal((await erin.call('POST', `/api/v1/rooms/${room.id}/leave`)).statusCode, 200)
  const back = await frank.call('POST', `/api/v1/rooms/${room.id}/join`)
  t.equal(back.statusCode, 200)
  t.equal(back.json().room.hostId, frank.id)
  t.equal(back.json().room.status, 'active')
})

t.test('bad input and unknown things', async (t) => {
  const { app, user } = await buildTestApp(t)
  const gina = await user('Gina')
  const missing = '00000000-0000-4000-8000-000000000000'
  const cases: Array<[string, 'GET' | 'POST' | 'PUT', string, unknown, number, string, string?]> = [
    ['no body', 'POST', '/api/v1/rooms', undefined, 400, 'VALIDATION_FAILED', 'body'],
    ['bad film id', 'POST', '/api/v1/rooms', { filmId: 'No Such!' }, 400, 'VALIDATION_FAILED', 'body.filmId'],
    ['extra field', 'POST', '/api/v1/rooms', { filmId: 'sintel', owner: 'x' }, 400, 'VALIDATION_FAILED', 'body'],
    ['unknown film', 'POST', '/api/v1/rooms', { filmId: 'no-such-film' }, 404, 'ROOM_FILM_NOT_FOUND'],
    ['room id not a uuid', 'GET', '/api/v1/rooms/nope', undefined, 400, 'VALIDATION_FAILED', 'params.roomId'],
    ['unknown room', 'GET', `/api/v1/rooms/${missing}`, undefined, 404, 'ROOM_NOT_FOUND'],
    ['join unknown room', 'POST', `/api/v1/rooms/${missing}/join`, undefined, 404, 'ROOM_NOT_FOUND'],
    ['leave unknown room', 'POST', `/api/v1/rooms/${missing}/leave`, undefined, 404, 'ROOM_NOT_FOUND'],
    ['ticket unknown room', 'POST', `/api/v1/rooms/${missing}/ticket`, undefined, 404, 'ROOM_NOT_FOUND'],
    ['bad invite code', 'POST', '/api/v1/invites/short/join', undefined, 400, 'VALIDATION_FAILED', 'params.code'],
    ['unknown invite code', 'POST', '/api/v1/invites/AAAAAAAAAAAA/join', undefined, 404, 'ROOM_INVITE_NOT_FOUND'],
    ['bad host body', 'PUT', `/api/v1/rooms/${missing}/host`, { userId: '' }, 400, 'VALIDATION_FAILED', 'body.userId'],
    ['unknown route', 'GET', '/api/v1/nothing-here', undefined, 404, 'NOT_FOUND']
  ]
  for (const [what, method, url, body, status, code, path] of cases) {
    const res = await gina.call(method, url, body)
    t.equal(res.statusCode, status, `${what}: ${res.body}`)
    t.equal(res.json().success, false, what)
    t.equal(res.json().errors[0]?.code, code, what)
    if (path) t.equal(res.json().errors[0]?.path, path, what)
  }
  const notJson = await app.inject({
    method: 'POST',
    url: '/api/v1/rooms',
    headers: { authorization: `Bearer ${gina.token}`, 'content-type': 'application/json' },
    payload: '{"filmId":'
  })
  t.equal(notJson.statusCode, 400, 'malformed JSON is a 400 too')
  t.equal(notJson.json().success, false)
})
