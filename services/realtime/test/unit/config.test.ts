import { DEV_ADMIN_TOKEN, DEV_TICKET_SECRET } from '@watch-together/protocol'
import t from 'tap'
import { ConfigError } from '@watch-together/service-kit'
import { readConfig } from '../../src/config.js'

t.test('defaults point at the local stack', async (t) => {
  const config = readConfig({ TICKET_SECRET: 'a-secret-of-16-chars' })
  t.equal(config.PORT, 3002)
  t.equal(config.REDIS_URL, 'redis://127.0.0.1:6379')
  t.equal(config.WS_MAX_FRAME_BYTES, 65536)
  t.equal(config.TRUST_PROXY, false, 'X-Forwarded-For is not believed unless configured')
  t.equal(readConfig({ TRUST_PROXY: '10.0.0.1,10.1.0.0/16' }).TRUST_PROXY, '10.0.0.1,10.1.0.0/16')
})

t.test('a wrong value stops the service with the variable named', async (t) => {
  for (const [env, variable] of [
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ WS_MAX_FRAME_BYTES: '12' }, 'WS_MAX_FRAME_BYTES'],
    [{ KAFKA_BROKERS: '' }, 'KAFKA_BROKERS'],
    [{ TICKET_SECRET: 'short' }, 'TICKET_SECRET'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY']
  ] as const) {
    const err = t.throws(() => readConfig({ TICKET_SECRET: 'a-secret-of-16-chars', ...env })) as ConfigError
    t.same(err.variables, [variable], `${variable} named`)
  }
})

t.test('the ticket secret has a dev default that production refuses', async (t) => {
  t.equal(readConfig({}).TICKET_SECRET, DEV_TICKET_SECRET, 'a fresh clone runs with no .env, matching room-api')
  const err = t.throws(() => readConfig({ NODE_ENV: 'production' })) as ConfigError
  t.same(err.variables, ['TICKET_SECRET'])
  t.equal(readConfig({ NODE_ENV: 'production', TICKET_SECRET: 'a-real-secret-of-enough-length' }).NODE_ENV, 'production')
})

t.test('announcements are on in development with a documented token that production refuses', async (t) => {
  t.equal(readConfig({}).ADMIN_TOKEN, DEV_ADMIN_TOKEN, 'development: the dev admin token')
  t.equal(readConfig({ NODE_ENV: 'test' }).ADMIN_TOKEN, undefined, 'elsewhere off unless set')
  const err = t.throws(() => readConfig({ NODE_ENV: 'production', TICKET_SECRET: 'a-real-secret-of-enough-length', ADMIN_TOKEN: DEV_ADMIN_TOKEN })) as ConfigError
  t.same(err.variables, ['ADMIN_TOKEN'])
})
