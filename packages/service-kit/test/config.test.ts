import t from 'tap'
import { z } from 'zod'
import { ConfigError, baseConfigShape, boolString, hostPortList, loadConfig, port } from '../src/config.js'

const Schema = z.object({
  ...baseConfigShape,
  PORT: port(3000),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  DEV_SIGN_IN: boolString(false)
})

t.test('defaults point at the local stack when nothing is set', async (t) => {
  const config = loadConfig(Schema, {})
  t.equal(config.PORT, 3000)
  t.same(config.KAFKA_BROKERS, ['127.0.0.1:9092'])
  t.equal(config.HOST, '127.0.0.1')
  t.equal(config.DEV_SIGN_IN, false)
  t.equal(config.SENTRY_DSN, undefined)
})

t.test('values are converted explicitly', async (t) => {
  const config = loadConfig(Schema, { PORT: '8080', KAFKA_BROKERS: 'a:1, b:2', DEV_SIGN_IN: 'true', LOG_LEVEL: 'debug' })
  t.equal(config.PORT, 8080)
  t.same(config.KAFKA_BROKERS, ['a:1', 'b:2'])
  t.equal(config.DEV_SIGN_IN, true)
  t.equal(config.LOG_LEVEL, 'debug')
})

t.test('a bad variable is named in the error', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ KAFKA_BROKERS: 'no-port-here' }, 'KAFKA_BROKERS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SENTRY_DSN: 'not a url' }, 'SENTRY_DSN'],
    [{ DEV_SIGN_IN: 'yes' }, 'DEV_SIGN_IN']
  ]
  for (const [env, variable] of cases) {
    const err = t.throws(() => loadConfig(Schema, env)) as unknown
    t.ok(err instanceof ConfigError, `${variable}: a ConfigError`)
    t.match((err as ConfigError).message, new RegExp(`^\\s+${variable}: `, 'm'), `${variable} is named in the message`)
    t.same((err as ConfigError).variables, [variable])
  }
})

t.test('every bad variable is reported at once', async (t) => {
  const err = t.throws(() => loadConfig(Schema, { PORT: 'x', LOG_LEVEL: 'y' })) as ConfigError
  t.same([...err.variables].sort(), ['LOG_LEVEL', 'PORT'])
})
