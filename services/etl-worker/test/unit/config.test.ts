import t from 'tap'
import { ConfigError } from '@watch-together/service-kit'
import { readConfig } from '../../src/config.js'

t.test('defaults point at the local stack', async (t) => {
  const config = readConfig({})
  t.equal(config.PORT, 3003)
  t.equal(config.MONGO_URL, 'mongodb://127.0.0.1:27017')
  t.equal(config.KAFKA_DLQ_TOPIC, 'watch_together.dlq')
  t.equal(config.KAFKA_GROUP_ID, 'etl-worker')
  t.equal(config.ETL_CONSUME, true)
  t.equal(config.ETL_CHUNK_SIZE, 5000)
  t.equal(config.ETL_PARTITION_CONCURRENCY, 12)
  t.equal(config.ETL_WRITE_CONCURRENCY, 1)
  t.equal(config.ETL_ROOM_IDLE_MS, 6 * 3600_000)
})

t.test('a wrong value stops the service with the variable named', async (t) => {
  for (const [env, variable] of [
    [{ MONGO_URL: 'postgres://x' }, 'MONGO_URL'],
    [{ MONGO_DB: 'a b' }, 'MONGO_DB'],
    [{ ETL_CHUNK_SIZE: '0' }, 'ETL_CHUNK_SIZE'],
    [{ ETL_WRITE_CONCURRENCY: '0' }, 'ETL_WRITE_CONCURRENCY'],
    [{ ETL_ROOM_IDLE_MS: '5m' }, 'ETL_ROOM_IDLE_MS'],
    [{ ETL_CONSUME: 'yes' }, 'ETL_CONSUME'],
    [{ SHUTDOWN_TIMEOUT_MS: 'soon' }, 'SHUTDOWN_TIMEOUT_MS']
  ] as const) {
    const err = t.throws(() => readConfig(env)) as ConfigError
    t.same(err.variables, [variable], `${variable} named`)
  }
})
