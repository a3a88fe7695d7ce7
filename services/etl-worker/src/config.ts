import { TOPICS } from '@watch-together/protocol'
import { baseConfigShape, hostPortList, loadConfig, port } from '@watch-together/service-kit'
import { z } from 'zod'

export const ConfigSchema = z.object({
  ...baseConfigShape,
  PORT: port(3003),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URL').default('mongodb://127.0.0.1:27017'),
  MONGO_DB: z.string().regex(/^[\w-]{1,63}$/, 'expected a database name').default('watch_together'),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_TOPIC: z.string().min(1).default(TOPICS.events),
  KAFKA_DLQ_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  KAFKA_GROUP_ID: z.string().min(1).default('etl-worker')
})
export type Config = z.infer<typeof ConfigSchema>

export function readConfig (env: Record<string, string | undefined>): Config {
  return loadConfig(ConfigSchema, env)
}
