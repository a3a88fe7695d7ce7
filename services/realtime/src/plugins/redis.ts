import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createClient } from 'redis'

function makeClient (url: string) {
  return createClient({
    url,
    // Keep reconnecting with capped backoff: a Redis restart must not take the service down.
    socket: { connectTimeout: 5000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3000) }
  })
}

export type RedisClient = ReturnType<typeof makeClient>

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient
  }
}

export interface RedisPluginOptions {
  url: string
}

/** The Redis client: connected here, checked by /readyz, closed on close. */
async function redis (app: FastifyInstance, opts: RedisPluginOptions) {
  const client = makeClient(opts.url)
  // node-redis emits 'error' on every failed reconnect; unhandled, that would crash the process.
  client.on('error', (err) => app.log.warn({ err }, 'redis client error'))
  try {
    await client.connect()
  } catch (err) {
    client.destroy()
    throw new Error(`Redis (${opts.url}) unreachable: ${(err as Error).message}`, { cause: err })
  }
  app.decorate('redis', client)
  app.readiness.add('redis', () => client.ping())
  app.addHook('onClose', async () => { await client.close() })
}

export const redisPlugin = fp(redis, { name: 'redis', dependencies: ['watch-together-basics'] })
