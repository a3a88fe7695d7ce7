// Sign in with Telegram: payloads signed here with a test bot token, exactly as Telegram signs them
// (HMAC-SHA256 of the sorted data-check-string, keyed with SHA-256 of the token), then good,
// tampered, stale, future, replayed and foreign ones; linking to an account.
import { createHash, createHmac } from 'node:crypto'
import { ConfigError } from '@watch-together/service-kit'
import t from 'tap'
import { readConfig } from '../src/config.js'
import { dataCheckString } from '../src/accounts/telegram.js'
import { buildTestApp } from './helpers/app.js'
import { createBrowser } from './helpers/browser.js'

const BOT_TOKEN = '123456789:AAtestTOKENfortheWATCHtogetherSUITE_x'
const OTHER_BOT = '987654321:AAanotherBOTtokenNOTours_0123456789'
const env = { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_BOT_NAME: 'watch_together_test_bot', RATE_LIMIT_SIGN_UP_MAX: '1000' }
const code = (res: { json: () => { errors: Array<{ code: string }> } }) => res.json().errors[0]?.code

let nextId = 700_000_000 + Math.floor(Math.random() * 1_000_000)
function signed<T extends Record<string, string | number>> (fields: T, token = BOT_TOKEN): T & { hash: string } {
  const secret = createHash('sha256').update(token).digest()
  return { ...fields, hash: createHmac('sha256', secret).update(dataCheckString(fields)).digest('hex') }
}
const now = () => Math.floor(Date.now() / 1000)
const login = (fields: Record<string, string | number> = {}): Record<string, string | number> & { id: number, hash: string } =>
  signed({ id: nextId++, first_name: 'Vasily', last_name: 'Petrov', username: 'VasyaTG', auth_date: now(), ...fields })

t.test('the data-check-string is the sorted fields but hash, joined by newlines', async (t) => {
  t.equal(dataCheckString({ username: 'u', id: 1, auth_date: 5, hash: 'h', first_name: 'F' }), 'auth_date=5\nfirst_name=F\nid=1\nusername=u')
})

t.test('off unless configured: ROOM_TELEGRAM_DISABLED; config needs the token and the bot name together', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/telegram', payload: login() })
  t.equal(res.statusCode, 404)
  t.equal(code(res), 'ROOM_TELEGRAM_DISABLED')
  t.equal((await app.inject('/api/v1/auth/providers')).json().telegram, null)
  t.same((t.throws(() => readConfig({ TELEGRAM_BOT_TOKEN: BOT_TOKEN })) as ConfigError).variables, ['TELEGRAM_BOT_NAME'])
  t.same((t.throws(() => readConfig({ TELEGRAM_BOT_TOKEN: 'nope', TELEGRAM_BOT_NAME: 'bot_name' })) as ConfigError).variables, ['TELEGRAM_BOT_TOKEN'])
  t.equal(readConfig({ TELEGRAM_BOT_TOKEN: '', TELEGRAM_BOT_NAME: '' }).TELEGRAM_BOT_TOKEN, undefined, 'empty means unset')
})

t.test('good, tampered, foreign, stale, future and replayed payloads', async (t) => {
  const { app } = await buildTestApp(t, env)
  const post = (payload: object) => createBrowser(app).call('POST', '/api/v1/auth/telegram', payload)
  t.same((await app.inject('/api/v1/auth/providers')).json().telegram, { botName: 'watch_together_test_bot' })

  const first = login()
  const created = await post(first)
  t.equal(created.statusCode, 201, 'created')
  const user = created.json().user
  t.equal(user.displayName, 'Vasily Petrov')
  t.equal(user.handle, 'vasyatg', 'the Telegram username, when free, is the handle')
  t.same(user.telegram, { id: String(first.id), username: 'VasyaTG' })
  t.equal(user.email, null)
  t.equal(user.hasPassword, false)
  t.ok(created.json().token)

  // Another login of the same person is another payload (its auth_date differs).
  const again = await post(login({ id: first.id, auth_date: now() - 5 }))
  t.equal(again.statusCode, 200, 'the same Telegram account signs in to the same user')
  t.equal(again.json().user.id, user.id)

  const replay = await post(first)
  t.equal(replay.statusCode, 401)
  t.equal(code(replay), 'ROOM_TELEGRAM_REPLAYED')

  const tampered = { ...login(), first_name: 'Mallory' }
  t.equal(code(await post(tampered)), 'ROOM_TELEGRAM_INVALID', 'a changed field')
  const added = { ...login(), is_admin: 'true' }
  t.equal(code(await post(added)), 'ROOM_TELEGRAM_INVALID', 'a field added after signing')
  const dropped: Record<string, unknown> = { ...login() }
  delete dropped.last_name
  t.equal(code(await post(dropped)), 'ROOM_TELEGRAM_INVALID', 'a field removed after signing')
  t.equal(code(await post(signed({ id: nextId++, auth_date: now() }, OTHER_BOT))), 'ROOM_TELEGRAM_INVALID', "another bot's token")
  const upper = login()
  t.equal((await post({ ...upper, hash: upper.hash.toUpperCase() })).statusCode, 201, 'hex case does not matter')

  const stale = await post(login({ auth_date: now() - 86_400 - 120 }))
  t.equal(stale.statusCode, 401)
  t.equal(code(stale), 'ROOM_TELEGRAM_STALE')
  t.equal(code(await post(login({ auth_date: now() + 3600 }))), 'ROOM_TELEGRAM_STALE', 'from the future')
  const staleForged = { ...login({ auth_date: now() - 90_000 }), first_name: 'X' }
  t.equal(code(await post(staleForged)), 'ROOM_TELEGRAM_INVALID', 'the signature is checked before freshness')
  t.equal((await post(login({ auth_date: now() - 3600 }))).statusCode, 201, 'an hour old is fine')

  const future = signed({ id: nextId++, first_name: 'New', auth_date: now(), photo_url: 'https://t.me/i/userpic/1.jpg', some_new_field: 'x' })
  t.equal((await post(future)).statusCode, 201, 'fields Telegram may add later are covered by the hash and accepted')

  for (const bad of [{}, { ...login(), hash: 'zz' }, { ...login(), id: 'abc' }, { ...login(), extra: { nested: true } }]) {
    const res = await post(bad)
    t.equal(res.statusCode, 400, JSON.stringify(bad).slice(0, 60))
  }
  const { rows } = await app.pg.query('SELECT count(*)::int AS n FROM telegram_auth_uses')
  t.ok(rows[0].n >= 4, 'used payloads are remembered')
})

t.test('linking Telegram to a signed-in account; one Telegram per account and per user', async (t) => {
  const { app } = await buildTestApp(t, env)
  const ann = createBrowser(app)
  await ann.signUp({ displayName: 'Ann' })
  const tg = login()
  const linked = await ann.call('POST', '/api/v1/auth/telegram/link', tg)
  t.equal(linked.statusCode, 200, 'linked')
  t.same(linked.json().user.telegram, { id: String(tg.id), username: 'VasyaTG' })
  const viaTelegram = await createBrowser(app).call('POST', '/api/v1/auth/telegram', login({ id: tg.id, auth_date: now() - 5 }))
  t.equal(viaTelegram.statusCode, 200)
  t.equal(viaTelegram.json().user.id, ann.userId, 'signing in with Telegram now opens Ann\'s account')

  const ben = createBrowser(app)
  await ben.signUp({ displayName: 'Ben' })
  const taken = await ben.call('POST', '/api/v1/auth/telegram/link', login({ id: tg.id, auth_date: now() - 10 }))
  t.equal(code(taken), 'ROOM_TELEGRAM_TAKEN')
  const second = await ann.call('POST', '/api/v1/auth/telegram/link', login())
  t.equal(code(second), 'ROOM_TELEGRAM_ALREADY_LINKED')
  t.equal((await ann.call('POST', '/api/v1/auth/telegram/link', login({ id: tg.id, auth_date: now() - 15 }))).statusCode, 200, 'linking the same pair again is fine')
  const anon = await app.inject({ method: 'POST', url: '/api/v1/auth/telegram/link', payload: login() })
  t.equal(code(anon), 'ROOM_AUTH_REQUIRED')
})
