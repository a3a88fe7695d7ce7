/**
 * Where the tests find the real servers: the same variables the services read,
 * defaulting to the local stack (infra/local/stack) on loopback.
 */
export const stack = {
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://watch:watch@127.0.0.1:5432/watch_together',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Set (host:port,…): the realtime suite runs against this Redis Cluster instead (infra/local/stack up redis-cluster). */
  redisClusterNodes: (process.env.REDIS_CLUSTER_NODES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017'
}

/**
 * Runs a probe against a server and, if it fails, throws an error that names the server
 * and how to start it. Tests never skip because a server is missing: they fail.
 */
export async function requireServer<T> (name: string, address: string, probe: () => Promise<T>): Promise<T> {
  try {
    return await probe()
  } catch (err) {
    throw new Error(`${name} is not answering at ${address}: ${(err as Error).message}. Start the stack with: infra/local/stack up`, { cause: err })
  }
}
