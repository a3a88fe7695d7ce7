// Fuzzing room-api's REST endpoints with fast-check, through inject against the real app on PostgreSQL:
// bodies from the zod schemas in packages/protocol/src/rooms.ts (the schemas stay the oracle), mutated bodies,
// any JSON, raw garbage with any content type, odd path parameters and query strings. Properties: never a 5xx,
// every refusal is the `{ success:false, errors:[{code,…}] }` envelope, a body the schema refuses is a 400
// VALIDATION_FAILED naming a body field, and a room is unchanged by everything refused.
// FUZZ_RUNS sets the iterations (the suite runs a short pass; `pnpm fuzz` a long one; FUZZ_SEED replays).
import { ControlModeBody, CreateRoomBody, DevSignInBody, MuteMemberBody, RemoveMemberBody, TransferHostBody } from '@watch-together/protocol'
import fc from 'fast-check'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { anyJson, checkEnvelope, checkRefusedBodies, fuzzParams, mutate } from './helpers/fuzz.js'

const params = fuzzParams(200)

const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,70}$/)
/** Valid bodies, mutated ones and any JSON at all, per endpoint. */
const bodies = {
  createRoom: fc.oneof(fc.record({ filmId: slug }), mutate(fc.record({ filmId: fc.constantFrom('sintel', 'big-buck-bunny') })), anyJson),
  controlMode: fc.oneof(fc.record({ controlMode: fc.constantFrom('everyone', 'host_only', 'HOST_ONLY', '') }), mutate(fc.record({ controlMode: fc.constant('host_only') })), anyJson),
  transferHost: fc.oneof(fc.record({ userId: fc.string({ maxLength: 80 }) }), mutate(fc.record({ userId: fc.constant('u1') })), anyJson),
  removeMember: fc.oneof(fc.record({ ban: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 }), fc.integer()) }, { requiredKeys: [] }), mutate(fc.record({ ban: fc.constant(true) })), anyJson),
  muteMember: fc.oneof(fc.record({ muted: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)) }), mutate(fc.record({ muted: fc.constant(true) })), anyJson),
  signIn: fc.oneof(fc.record({ name: fc.string({ maxLength: 100 }), userId: fc.string({ maxLength: 80 }) }, { requiredKeys: ['name'] }), mutate(fc.record({ name: fc.constant('Ann') })), anyJson)
}
const rawBody = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('{', '{"filmId":', 'null', '[]', '{"__proto__":{"filmId":"sintel"}}', '{"constructor":{"prototype":{"x":1}}}'))
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '')
const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('..', '%00', '%ff', "1' OR '1'='1", '00000000-0000-0000-0000-000000000000', 'a'.repeat(300)))

t.test('REST endpoints under fuzzed input', async (t) => {
  const { app, user } = await buildTestApp(t, { RATE_LIMIT_CREATE_MAX: '100000', RATE_LIMIT_SIGN_IN_MAX: '100000' })
  const host = await user('Host')
  const guest = await user('Guest')
  const created = await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  const room = created.json().room
  await guest.call('POST', `/api/v1/invites/${room.inviteCode}/join`)
  const snapshot = async () => {
    const { room: now } = (await host.call('GET', `/api/v1/rooms/${room.id}`)).json()
    return JSON.stringify({ ...now, members: now.members.map((m: Record<string, unknown>) => ({ ...m, online: null })) })
  }
  const before = await snapshot()

  await t.test('bodies the schema refuses: 400 VALIDATION_FAILED on a body field, the room unchanged', async (t) => {
    const cases = [
      ['PUT', `/api/v1/rooms/${room.id}/control-mode`, bodies.controlMode, ControlModeBody],
      ['PUT', `/api/v1/rooms/${room.id}/host`, bodies.transferHost, TransferHostBody],
      ['POST', `/api/v1/rooms/${room.id}/members/${guest.id}/remove`, bodies.removeMember, RemoveMemberBody],
      ['PUT', `/api/v1/rooms/${room.id}/members/${guest.id}/mute`, bodies.muteMember, MuteMemberBody],
      ['POST', '/api/v1/rooms', bodies.createRoom, CreateRoomBody],
      ['POST', '/api/v1/auth/dev-sign-in', bodies.signIn, DevSignInBody]
    ] as const
    const refused = await checkRefusedBodies(app, cases, { authorization: `Bearer ${host.token}` }, params)
    t.ok(refused > 0, `${refused} refused bodies checked`)
    t.equal(await snapshot(), before, 'the room is unchanged')
  })

  await t.test('raw bodies with any content type, never a 5xx', async (t) => {
    const targets = [`/api/v1/rooms/${room.id}/control-mode`, `/api/v1/rooms/${room.id}/host`, '/api/v1/rooms', '/api/v1/auth/dev-sign-in', `/api/v1/rooms/${room.id}/join`,
      `/api/v1/rooms/${room.id}/members/${host.id}/remove`, `/api/v1/rooms/${room.id}/members/${host.id}/mute`]
    await fc.assert(fc.asyncProperty(fc.constantFrom(...targets), rawBody, contentType, fc.constantFrom('POST', 'PUT'), async (url, payload, type, method) => {
      const headers: Record<string, string> = { authorization: `Bearer ${guest.token}` }
      if (type) headers['content-type'] = type
      const res = await app.inject({ method, url, payload, headers })
      checkEnvelope(res, `${method} ${url} ${type} ${JSON.stringify(payload).slice(0, 100)}`)
      return true
    }), params)
    t.equal(await snapshot(), before, 'the room is unchanged (a guest sent them)')
  })

  await t.test('odd path segments, query strings and headers, never a 5xx', async (t) => {
    const paths = (s: string) => [
      `/api/v1/rooms/${s}`, `/api/v1/rooms/${s}/join`, `/api/v1/rooms/${s}/ticket`, `/api/v1/invites/${s}/join`,
      `/api/v1/films/${s}`, `/api/v1/me/watchlist/${s}`, `/api/v1/me/friends/${s}`, `/r/${s}`,
      `/api/v1/rooms/${room.id}/members/${s}/remove`, `/api/v1/rooms/${room.id}/members/${s}/mute`, `/api/v1/rooms/${s}/members/${guest.id}/remove`
    ]
    await fc.assert(fc.asyncProperty(segment, fc.nat(), fc.string({ maxLength: 60 }), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fc.oneof(fc.constant(`Bearer ${guest.token}`), fc.string({ maxLength: 80 })), async (seg, pick, query, method, auth) => {
      const all = paths(encodeURIComponent(seg))
      const url = `${all[pick % all.length]}?${encodeURIComponent(query)}=1`
      const res = await app.inject({ method, url, headers: { authorization: auth } })
      if (url.startsWith('/r/') && res.statusCode < 500) return true // the invite page answers HTML
      checkEnvelope(res, `${method} ${url}`)
      return true
    }), params)
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('q', 'limit', 'offset', 'x'), fc.string({ maxLength: 30 })), async (query) => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/films', query })
      checkEnvelope(res, `GET /api/v1/films ${JSON.stringify(query)}`)
      return true
    }), params)
    t.equal(await snapshot(), before, 'the room is unchanged')
  })

  await t.test('moderation with wrong roles, unknown or stale members: stable codes, nothing changes', async (t) => {
    const stranger = await user('Stranger')
    const valid = fc.oneof(
      fc.record({ path: fc.constant('remove'), method: fc.constant('POST' as const), body: fc.record({ ban: fc.boolean() }) }),
      fc.record({ path: fc.constant('mute'), method: fc.constant('PUT' as const), body: fc.record({ muted: fc.boolean() }) }))
    // [actor, target, the codes it may get]: a guest or outsider is never the host; the host cannot target
    // themself, an outsider, an unknown id or a random string.
    const actors = fc.constantFrom(
      [guest, host.id, ['ROOM_NOT_HOST']], [guest, guest.id, ['ROOM_NOT_HOST']], [stranger, guest.id, ['ROOM_NOT_MEMBER']],
      [host, host.id, ['ROOM_MODERATE_SELF']], [host, stranger.id, ['ROOM_MEMBER_NOT_FOUND']]) as fc.Arbitrary<[typeof host, string, string[]]>
    // Never '.' or '..': path steps the router resolves into another route (the odd-segments test covers them).
    const target = fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== guest.id && s !== host.id && s !== '.' && s !== '..'))
    await fc.assert(fc.asyncProperty(valid, actors, target, async (op, [actor, fixedTarget, codesAllowed], random) => {
      const targetId = random ?? fixedTarget
      const res = await actor.call(op.method, `/api/v1/rooms/${room.id}/members/${encodeURIComponent(targetId)}/${op.path}`, op.body)
      checkEnvelope(res, `${actor.name} ${op.method} ${op.path} ${targetId}`)
      const codes = (res.json().errors as Array<{ code: string }>).map((e) => e.code)
      const allowed = random === null ? codesAllowed : [...codesAllowed, 'ROOM_MEMBER_NOT_FOUND', 'ROOM_MODERATE_SELF', 'VALIDATION_FAILED']
      if (res.statusCode < 400 || !codes.every((c) => allowed.includes(c))) throw new Error(`${actor.name} ${op.path} ${targetId} → ${res.statusCode} ${res.body}`)
      return true
    }), params)
    t.equal(await snapshot(), before, 'the room is unchanged')
  })
})
