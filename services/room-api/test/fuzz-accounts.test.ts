// Fuzzing the accounts, sessions, Telegram, profile and friends endpoints with fast-check, through inject
// against the real app on PostgreSQL: bodies from the zod schemas in packages/protocol/src/accounts.ts
// (the oracle), mutated bodies, any JSON, raw bodies of any content type, odd path segments, random
// cookies and CSRF headers. Properties: never a 5xx; every refusal is the error envelope; a body the
// schema refuses is a 400 on a body field; and nothing (people, sessions, friendships, requests,
// blocks) changes. FUZZ_RUNS sets the iterations, FUZZ_SEED replays (as fuzz-rest.test.ts).
import {
  ChangePasswordBody, FriendRequestBody, SignInBody, SignUpBody, TelegramAuthBody, UpdateProfileBody
} from '@watch-together/protocol'
import fc from 'fast-check'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { anyJson, checkEnvelope, checkRefusedBodies, fuzzParams, mutate } from './helpers/fuzz.js'
import { createBrowser } from './helpers/browser.js'

const params = fuzzParams(100)

const text = (max: number) => fc.oneof(fc.string({ maxLength: max }), fc.string({ unit: 'grapheme', maxLength: max }), fc.constantFrom('', ' ', '@', 'admin', '\u202e', 'a'.repeat(300)))
const email = fc.oneof(fc.emailAddress(), text(40), fc.constantFrom('A@B.C', ' x@y.z '))
const handle = fc.oneof(fc.stringMatching(/^@?[a-zA-Z][a-zA-Z0-9_]{0,33}$/), text(20))
const telegram = fc.record({
  id: fc.oneof(fc.nat(), fc.string({ maxLength: 12 })),
  first_name: text(30),
  username: text(20),
  auth_date: fc.oneof(fc.nat(), fc.integer(), fc.string({ maxLength: 12 })),
  hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 }))
}, { requiredKeys: [] })
/** Each mutating endpoint with its schema and its bodies (valid-shaped, mutated, any JSON). */
const bodies = {
  signUp: fc.oneof(fc.record({ email, password: text(20), displayName: text(70), handle }, { requiredKeys: [] }), mutate(fc.record({ email: fc.constant('x@y.z'), password: fc.constant('long enough pw'), displayName: fc.constant('X') })), anyJson),
  signIn: fc.oneof(fc.record({ email, password: text(20) }, { requiredKeys: [] }), mutate(fc.record({ email: fc.constant('x@y.z'), password: fc.constant('pw') })), anyJson),
  changePassword: fc.oneof(fc.record({ currentPassword: text(20), newPassword: text(20) }, { requiredKeys: [] }), anyJson),
  telegram: fc.oneof(telegram, mutate(telegram.map((b) => b as Record<string, unknown>)), anyJson),
  profile: fc.oneof(fc.record({ handle, displayName: text(70) }, { requiredKeys: [] }), mutate(fc.record({ handle: fc.constant('someone') })), anyJson),
  friendRequest: fc.oneof(fc.record({ userId: text(140), handle }, { requiredKeys: [] }), anyJson)
}
const rawBody = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('{', '{"email":', 'null', '[]', '{"__proto__":{"email":"a@b.c"}}', '\u0089PNG\r\n\u001a\n'))
const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'image/png', 'image/svg+xml', '')
const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('..', '%00', '%ff', '@', '@@x', "1' OR '1'='1", 'a'.repeat(300)))

t.test('accounts and friends endpoints under fuzzed input', async (t) => {
  const { app, user } = await buildTestApp(t, {
    TELEGRAM_BOT_TOKEN: '123456789:AAfuzzTOKENfortheWATCHtogetherSUITE',
    TELEGRAM_BOT_NAME: 'fuzz_bot',
    RATE_LIMIT_SIGN_IN_MAX: '1000000',
    RATE_LIMIT_SIGN_UP_MAX: '1000000',
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: '100000',
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_TIME_COST: '1'
  })
  const tab = createBrowser(app)
  await tab.signUp({ displayName: 'Fuzz Owner', handle: 'fuzz_owner', password: 'the fuzz password' })
  const friend = await user('Friend')
  await friend.call('PATCH', '/api/v1/me', { handle: 'fuzz_friend' })
  await tab.call('POST', '/api/v1/me/friend-requests', { userId: friend.id })
  await friend.call('POST', `/api/v1/me/friend-requests/${tab.userId}/accept`)
  const stranger = await user('Stranger')
  await stranger.call('POST', '/api/v1/me/friend-requests', { handle: 'fuzz_owner' })
  const snapshot = async () => {
    const q = async (sql: string) => JSON.stringify((await app.pg.query(sql)).rows)
    return [
      await q('SELECT id, handle, display_name, email, password_hash, avatar_version FROM users ORDER BY id'),
      await q('SELECT id, revoked_at FROM sessions ORDER BY id'),
      await q('SELECT token_hash, used_at FROM refresh_tokens ORDER BY token_hash'),
      await q('SELECT * FROM friendships ORDER BY 1, 2'),
      await q('SELECT * FROM friend_requests ORDER BY 1, 2'),
      await q('SELECT * FROM blocks ORDER BY 1, 2'),
      await q('SELECT user_id, content_type FROM avatars ORDER BY 1')
    ].join('\n')
  }
  const before = await snapshot()
  const bearer = { authorization: `Bearer ${tab.token}` }

  await t.test('bodies the schema refuses: 400 on a body field, nothing changes', async (t) => {
    const cases = [
      ['POST', '/api/v1/auth/sign-up', bodies.signUp, SignUpBody],
      ['POST', '/api/v1/auth/sign-in', bodies.signIn, SignInBody],
      ['POST', '/api/v1/auth/change-password', bodies.changePassword, ChangePasswordBody],
      ['POST', '/api/v1/auth/telegram', bodies.telegram, TelegramAuthBody],
      ['POST', '/api/v1/auth/telegram/link', bodies.telegram, TelegramAuthBody],
      ['PATCH', '/api/v1/me', bodies.profile, UpdateProfileBody],
      ['POST', '/api/v1/me/friend-requests', bodies.friendRequest, FriendRequestBody]
    ] as const
    const refused = await checkRefusedBodies(app, cases, bearer, params)
    t.ok(refused > 0, `${refused} refused bodies checked`)
    t.equal(await snapshot(), before, 'nothing changed')
  })

  await t.test('well-formed but wrong: sign-ins, Telegram logins, password changes, requests to strangers — 4xx, nothing changes', async (t) => {
    const wellFormed = [
      ['/api/v1/auth/sign-in', SignInBody, bodies.signIn, ['ROOM_SIGN_IN_FAILED', 'ROOM_SIGN_IN_LOCKED']],
      ['/api/v1/auth/telegram', TelegramAuthBody, bodies.telegram, ['ROOM_TELEGRAM_INVALID']],
      ['/api/v1/auth/change-password', ChangePasswordBody, bodies.changePassword, ['ROOM_PASSWORD_WRONG', 'ROOM_SIGN_IN_LOCKED']],
      ['/api/v1/me/friend-requests', FriendRequestBody, bodies.friendRequest, ['ROOM_USER_NOT_FOUND']]
    ] as const
    let checked = 0
    for (const [url, schema, arb, codes] of wellFormed) {
      await fc.assert(fc.asyncProperty(arb, async (body) => {
        const parsed = schema.safeParse(JSON.parse(JSON.stringify(body) ?? 'null'))
        if (!parsed.success) return true
        // Keep the known handles out: a request to them would be a real (allowed) change.
        if ('handle' in parsed.data && ['fuzz_owner', 'fuzz_friend'].includes(String(parsed.data.handle))) return true
        if ('newPassword' in parsed.data && parsed.data.currentPassword === 'the fuzz password') return true
        checked++
        const res = await app.inject({ method: 'POST', url, payload: parsed.data as object, headers: bearer })
        checkEnvelope(res, `POST ${url} ${JSON.stringify(body).slice(0, 200)}`)
        const got = (res.json().errors as Array<{ code: string }>).map((e) => e.code)
        if (!got.every((c) => (codes as readonly string[]).includes(c))) throw new Error(`POST ${url} ${JSON.stringify(body).slice(0, 200)} → ${res.statusCode} ${res.body}`)
        return true
      }), params)
    }
    t.ok(checked > 0, `${checked} well-formed refusals checked`)
    t.equal(await snapshot(), before, 'nothing changed')
  })

  await t.test('raw bodies of any content type, odd paths, random cookies and CSRF headers: never a 5xx', async (t) => {
    const targets = ['/api/v1/auth/sign-up', '/api/v1/auth/sign-in', '/api/v1/auth/telegram', '/api/v1/auth/change-password', '/api/v1/me',
      '/api/v1/me/avatar', '/api/v1/me/friend-requests', '/api/v1/auth/refresh', '/api/v1/auth/sign-out']
    await fc.assert(fc.asyncProperty(fc.constantFrom(...targets), rawBody, contentType, fc.constantFrom('POST', 'PUT', 'PATCH'), async (url, payload, type, method) => {
      // A stranger's token: their own profile or avatar may change; nothing of the snapshot's owners may.
      const headers: Record<string, string> = { authorization: `Bearer ${stranger.token}` }
      if (type) headers['content-type'] = type
      checkEnvelope(await app.inject({ method, url, payload, headers }), `${method} ${url} ${type}`)
      return true
    }), params)
    const paths = (s: string) => [
      `/api/v1/people/${s}`, `/api/v1/users/${s}/avatar`, `/api/v1/me/friends/${s}`, `/api/v1/me/friend-requests/${s}`,
      `/api/v1/me/friend-requests/${s}/accept`, `/api/v1/me/friend-requests/${s}/decline`, `/api/v1/me/blocks/${s}`
    ]
    await fc.assert(fc.asyncProperty(segment, fc.nat(), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fc.string({ maxLength: 40 }), async (seg, pick, method, query) => {
      const all = paths(encodeURIComponent(seg))
      const url = `${all[pick % all.length]}?${encodeURIComponent(query)}=1`
      const res = await app.inject({ method, url, headers: bearer })
      checkEnvelope(res, `${method} ${url}`)
      return true
    }), params)
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 100 })), fc.constantFrom('refresh', 'sign-out'), async (cookie, csrf, path) => {
      const headers: Record<string, string> = { cookie: `wt_refresh=${encodeURIComponent(cookie)}` }
      if (csrf !== null) headers['x-csrf-token'] = csrf
      const res = await app.inject({ method: 'POST', url: `/api/v1/auth/${path}`, headers })
      checkEnvelope(res, `POST /auth/${path} cookie ${cookie.slice(0, 40)}`)
      return true
    }), params)
    // The owner's own session with forged CSRF headers.
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 100 }), async (csrf) => {
      if (csrf === tab.cookies.get('wt_csrf')?.value) return true
      const res = await tab.call('POST', '/api/v1/auth/refresh', undefined, { 'x-csrf-token': csrf })
      if (res.statusCode !== 403) throw new Error(`forged CSRF ${JSON.stringify(csrf)} → ${res.statusCode} ${res.body}`)
      return true
    }), params)
    t.equal(await snapshot(), before, "nothing of the owner's, the friend's or their relationships changed")
  })
})
