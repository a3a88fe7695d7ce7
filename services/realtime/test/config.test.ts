import t from 'tap'
import { ConfigError } from '@watch-together/service-kit'
import { readConfig } from '../src/config.js'

t.test('defaults point at the local stack', async (t) => {
  const config = readConfig({})
  t.equal(config.PORT, 3002)
  t.equal(config.REDIS_URL, 'redis://127.0.0.1:6379')
  t.equal(config.WS_MAX_FRAME_BYTES, 65536)
})

t.test('a wrong value stops the service with the variable named', async (t) => {
  for (const [env, variable] of [
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ WS_MAX_FRAME_BYTES: '12' }, 'WS_MAX_FRAME_BYTES'],
    [{ KAFKA_BROKERS: '' }, 'KAFKA_BROKERS']
  ] as const) {
    const err = t.throws(() => readConfig(env)) as ConfigError
    t.same(err.variables, [variable], `${variable} named`)
  }
})
