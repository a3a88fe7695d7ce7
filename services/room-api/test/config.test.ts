import t from 'tap'
import { ConfigError } from '@watch-together/service-kit'
import { readConfig } from '../src/config.js'

t.test('a fresh clone needs no .env: defaults point at the local stack', async (t) => {
  const config = readConfig({})
  t.equal(config.PORT, 3001)
  t.equal(config.DATABASE_URL, 'postgres://watch:watch@127.0.0.1:5432/watch_together')
  t.same(config.KAFKA_BROKERS, ['127.0.0.1:9092'])
  t.equal(config.KAFKA_TOPIC, 'watch_together')
})

t.test('a wrong value stops the service with the variable named', async (t) => {
  for (const [env, variable] of [
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PG_POOL_MAX: '0' }, 'PG_POOL_MAX'],
    [{ PORT: '-1' }, 'PORT']
  ] as const) {
    const err = t.throws(() => readConfig(env)) as ConfigError
    t.same(err.variables, [variable], `${variable} named`)
  }
})
