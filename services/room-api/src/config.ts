import { TOPICS } from '@watch-together/protocol'
import { baseConfigShape, hostPortList, intString, loadConfig, port } from '@watch-together/service-kit'
import { z } from 'zod'

export const ConfigSchema = z.object({
  ...baseConfigShape,
  PORT: port(3001),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .default('postgres://watch:watch@127.0.0.1:5432/watch_together'),
  /** Upper bound on pooled PostgreSQL connections per process. */
  PG_POOL_MAX: intString(1, 500).default(20),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_TOPIC: z.string().min(1).default(TOPICS.events)
})
export type Config = z.infer<typeof ConfigSchema>

export function readConfig (env: Record<string, string | undefined>): Config {
  return loadConfig(ConfigSchema, env)
}
