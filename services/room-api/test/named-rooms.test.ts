// Rooms by a name people can type, and the original document's REST shape, against real PostgreSQL.
import fc from 'fast-check'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'

const codes = (res: { json (): { errors: Array<{ code: string }> } }) => res.json().errors.map((e) => e.code)

t.test('named rooms: validated, unique among active rooms, freed on close, joined like a code', async (t) => {
  const { app, user } = await buildTestApp(t, { RATE_LIMIT_CREATE_MAX: '1000' })
  const [ann, bob, cat] = [await user('Ann'), await user('Bob'), await user('Cat')]
  const created = await ann.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: '  Movie-Night ' })
  t.equal(created.statusCode, 201, 'created')
  const room = created.json().room
  t.equal(room.name, 'movie-night', 'trimmed and lowercased')
  t.equal((await ann.call('GET', `/api/v1/rooms/${room.id}`)).json().room.name, 'movie-night', 'shown in the room')

  const taken = await bob.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: 'MOVIE-night' })
  t.equal(taken.statusCode, 409)
  t.match(taken.json().errors, [{ code: 'ROOM_NAME_TAKEN', path: 'body.name', suggestion: 'movie-night-2' }], 'case-insensitive, with a free suggestion')
  t.equal((await bob.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: 'movie-night-2' })).statusCode, 201, 'the suggestion works')
  const third = await cat.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: 'movie-night' })
  t.match(third.json().errors, [{ suggestion: 'movie-night-3' }], 'the next suggestion skips the taken one')

  for (const bad of ['ab', 'a'.repeat(41), '-night', 'night-', 'movie--night', 'кино', 'movie night', 'admin', 'api', 'sign-in']) {
    const res = await cat.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: bad })
    t.equal(res.statusCode, 400, `"${bad}" refused`)
    t.same(codes(res), ['VALIDATION_FAILED'])
  }

  const preview = await cat.call('GET', '/api/v1/rooms/by-name/Movie-Night')
  t.match(preview.json().room, { id: room.id, name: 'movie-night', film: { id: 'sintel' }, hostName: 'Ann' }, 'looked up as typed')
  t.same(codes(await cat.call('GET', '/api/v1/rooms/by-name/no-such-room')), ['ROOM_NAME_NOT_FOUND'])
  t.same(codes(await cat.call('GET', '/api/v1/rooms/by-name/%20%20')), ['ROOM_NAME_NOT_FOUND'], 'an invalid name finds nothing')
  const joined = await cat.call('POST', '/api/v1/rooms/by-name/movie-night/join')
  t.equal(joined.statusCode, 200)
  t.ok(joined.json().room.members.some((m: { userId: string }) => m.userId === cat.id), 'joined by name')

  const page = await app.inject({ method: 'GET', url: '/r/movie-night' })
  t.equal(page.statusCode, 200, 'the invite page answers to the name')
  t.match(page.body, /Ann invites you to watch Sintel in &quot;movie-night&quot;/)
  t.match(page.body, new RegExp(room.inviteCode), 'and sends the browser on with the room\'s code')

  // Closing frees the name; a banned user is refused by name too.
  await ann.call('POST', `/api/v1/rooms/${room.id}/members/${cat.id}/remove`, { ban: true })
  t.same(codes(await cat.call('POST', '/api/v1/rooms/by-name/movie-night/join')), ['ROOM_BANNED'], 'same membership rules as a code')
  await ann.call('POST', `/api/v1/rooms/${room.id}/close`)
  t.same(codes(await cat.call('POST', '/api/v1/rooms/by-name/movie-night/join')), ['ROOM_NAME_NOT_FOUND'], 'a closed room is not found by name')
  const reused = await cat.call('POST', '/api/v1/rooms', { filmId: 'sintel', name: 'movie-night' })
  t.equal(reused.statusCode, 201, 'the name is free again once its room closed')
})

t.test('fuzzed names: a stable code, never a 5xx', async (t) => {
  const { user } = await buildTestApp(t, { RATE_LIMIT_CREATE_MAX: '100000' })
  const u = await user('Fuzz')
  await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[a-z0-9-]{0,45}$/), fc.jsonValue()), async (name) => {
    const lookup = await u.call('GET', `/api/v1/rooms/by-name/${encodeURIComponent(typeof name === 'string' ? name : JSON.stringify(name)) || 'x'}`)
    if (lookup.statusCode >= 500 || (lookup.statusCode !== 404 && lookup.statusCode !== 400 && lookup.statusCode !== 414)) throw new Error(`lookup ${JSON.stringify(name)} → ${lookup.statusCode}`)
    const res = await u.call('POST', '/api/v1/rooms', { filmId: 'no-such-film', name })
    if (res.statusCode >= 500) throw new Error(`${JSON.stringify(name)} → ${res.statusCode} ${res.body}`)
    const got = codes(res)
    if (!got.every((c) => ['VALIDATION_FAILED', 'ROOM_FILM_NOT_FOUND', 'ROOM_NAME_TAKEN'].includes(c))) throw new Error(`${JSON.stringify(name)} → ${res.body}`)
    return true
  }), { numRuns: Number(process.env.FUZZ_RUNS ?? 200) })
  t.pass('no 5xx')
})

t.test('the original REST shape replays the document\'s examples', async (t) => {
  const { user } = await buildTestApp(t)
  const [host, guest] = [await user('Vasily'), await user('Petr')]
  const created = await host.call('POST', '/api/v1/room/', { filmId: 'sintel' })
  t.equal(created.statusCode, 200, 'created')
  t.match(created.json(), { success: true, errors: [], link: /^http:\/\/127\.0\.0\.1:3001\/r\/[0-9A-Za-z]{12}$/ })
  t.same(Object.keys(created.json()).sort(), ['errors', 'link', 'success'], 'exactly the original fields')
  const again = await host.call('POST', '/api/v1/room/', { film_id: 'sintel' })
  t.equal(again.statusCode, 409)
  t.same(again.json(), { success: false, errors: [`Room for user "${host.id}" already exist!`], link: null }, 'the document\'s first error, link null')

  const code = created.json().link.split('/r/')[1]
  const room = (await guest.call('POST', `/api/v1/invites/${code}/join`)).json().room
  await guest.call('POST', `/api/v1/rooms/${room.id}/leave`)

  const joined = await guest.call('GET', `/api/v1/room/${room.id}/join`)
  t.same(joined.json(), { success: true, errors: [] })
  const twice = await guest.call('GET', `/api/v1/room/${room.id}/join`)
  t.equal(twice.statusCode, 409)
  t.same(twice.json(), { success: false, errors: [`Room user "${guest.id}" already exist!`] }, 'the document\'s join error')

  t.same((await guest.call('POST', `/api/v1/room/${room.id}/disconnect`)).json(), { success: true, errors: [] })
  const gone = await guest.call('POST', `/api/v1/room/${room.id}/disconnect`)
  t.equal(gone.statusCode, 403)
  t.same(gone.json(), { success: false, errors: [`User "${guest.id}" does not exist in the room "${room.id}"!`] }, 'the document\'s disconnect error')

  const bad = await guest.call('POST', '/api/v1/room/', { filmId: 'NOT A SLUG' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { success: false, errors: [String], link: null }, 'validation errors are strings too')
  t.same((await guest.call('GET', '/api/v1/room/not-a-uuid/join')).json().errors.length, 1)
  const anon = await guest.call('GET', `/api/v1/room/${room.id}/join`)
  t.equal(anon.statusCode, 200, 'rejoining after a disconnect works')
})
