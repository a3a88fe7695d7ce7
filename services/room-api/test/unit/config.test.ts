import t from 'tap'
import { ConfigError } from '@watch-together/service-kit'
import { readConfig } from '../../src/config.js'

t.test('a fresh clone needs no .env: defaults point at the local stack', async (t) => {
  const config = readConfig({})
  t.equal(config.PORT, 3001)
  t.equal(config.DATABASE_URL, 'postgres://watch:watch@127.0.0.1:5432/watch_together')
  t.same(config.KAFKA_BROKERS, ['127.0.0.1:9092'])
  t.equal(config.KAFKA_TOPIC, 'watch_together')
  t.equal(config.PG_SCHEMA, 'public')
  t.equal(config.DEV_SIGN_IN, true, 'dev sign-in is on in development')
  t.equal(readConfig({ NODE_ENV: 'test' }).DEV_SIGN_IN, false, 'and off elsewhere unless asked for')
  t.equal(config.TRUST_PROXY, false, 'X-Forwarded-For is not believed unless configured')
  t.equal(readConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true)
  t.equal(readConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16,::1' }).TRUST_PROXY, '10.0.0.1,10.1.0.0/16,::1')
})

t.test('a wrong value stops the service with the variable named', async (t) => {
  for (const [env, variable] of [
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PG_POOL_MAX: '0' }, 'PG_POOL_MAX'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PG_SCHEMA: 'x; drop table rooms' }, 'PG_SCHEMA'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ WEB_ROOM_URL: 'not a url' }, 'WEB_ROOM_URL'],
    [{ DEV_SIGN_IN: 'true', JWT_JWKS_URL: 'https://auth.example/jwks.json' }, 'DEV_SIGN_IN'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '2' }, 'TRUST_PROXY'],
    [{ NODE_ENV: 'test', ACCOUNTS: 'true', JWT_JWKS_URL: 'https://auth.example/jwks.json' }, 'ACCOUNTS'],
    [{ TELEGRAM_BOT_TOKEN: '1:abcdefghijklmnopqrstuvwxyz' }, 'TELEGRAM_BOT_NAME'],
    [{ TELEGRAM_BOT_NAME: 'some_bot' }, 'TELEGRAM_BOT_TOKEN'],
    [{ PASSWORD_HASH_MEMORY_KIB: '8' }, 'PASSWORD_HASH_MEMORY_KIB']
  ] as const) {
    const err = t.throws(() => readConfig(env)) as ConfigError
    t.same(err.variables, [variable], `${variable} named`)
  }
})

t.test('production refuses dev secrets and dev sign-in', async (t) => {
  const err = t.throws(() => readConfig({ NODE_ENV: 'production', DEV_SIGN_IN: 'true' })) as ConfigError
  t.same(err.variables.sort(), ['DEV_SIGN_IN', 'JWT_SECRET', 'LIVEKIT_API_SECRET', 'MEDIA_URL_SECRET', 'TICKET_SECRET'])
  const secrets = { JWT_SECRET: 'p'.repeat(40), TICKET_SECRET: 'q'.repeat(40), MEDIA_URL_SECRET: 'm'.repeat(40), LIVEKIT_API_SECRET: 'l'.repeat(40) }
  const config = readConfig({ NODE_ENV: 'production', ...secrets })
  t.equal(config.DEV_SIGN_IN, false)
  t.equal(config.ACCOUNTS, true, 'accounts are on by default')
  t.equal(config.COOKIE_SECURE, true, 'session cookies are Secure in production')
  t.equal(config.MEDIA_ADMIN_TOKEN, undefined, 'no admin media token unless set (the admin API is off)')
  const insecure = t.throws(() => readConfig({ NODE_ENV: 'production', ...secrets, COOKIE_SECURE: 'false' })) as ConfigError
  t.same(insecure.variables, ['COOKIE_SECURE'])
  const jwks = readConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://auth.example/jwks.json', TICKET_SECRET: 'q'.repeat(40), MEDIA_URL_SECRET: 'm'.repeat(40), LIVEKIT_API_SECRET: 'l'.repeat(40) })
  t.equal(jwks.JWT_JWKS_URL, 'https://auth.example/jwks.json', 'with JWKS the HS256 secret is not needed')
  t.equal(jwks.ACCOUNTS, false, 'with JWKS the Auth service owns sign-in: accounts are off')
})
