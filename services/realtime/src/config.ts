import { TOPICS } from '@watch-together/protocol'
import { baseConfigShape, hostPortList, intString, loadConfig, port } from '@watch-together/service-kit'
import { z } from 'zod'

export const ConfigSchema = z.object({
  ...baseConfigShape,
  PORT: port(3002),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL').default('redis://127.0.0.1:6379'),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_TOPIC: z.string().min(1).default(TOPICS.events),
  /** Larger websocket frames close the socket with 1009 (message too big). */
  WS_MAX_FRAME_BYTES: intString(1024, 16 * 1024 * 1024).default(64 * 1024)
})
export type Config = z.infer<typeof ConfigSchema>

export function readConfig (env: Record<string, string | undefined>): Config {
  return loadConfig(ConfigSchema, env)
}
