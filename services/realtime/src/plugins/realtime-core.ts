import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { realtimeMetricsPlugin } from '../metrics.js'
import { chatPlugin } from '../rooms/chat.js'
import { countersPlugin } from '../rooms/counters.js'
import { roomCommandsPlugin } from '../rooms/dispatch.js'
import { filmEndPlugin } from '../rooms/film-end.js'
import { roomHubPlugin } from '../rooms/hub.js'
import { instanceRegistryPlugin } from '../rooms/instance-registry.js'
import { presencePlugin } from '../rooms/presence.js'
import { readyWaitPlugin } from '../rooms/ready-wait.js'
import { roomStorePlugin } from '../rooms/room-store.js'
import { redisSubscriberPlugin } from './redis.js'
import { liveSocketsPlugin } from './sockets.js'

/**
 * The realtime core, one plugin per part, each declaring what it uses and built once from it
 * (nothing is set after construction). Registered in dependency order, so they close in reverse:
 * the sockets go first (their disconnect bookkeeping still has every part), the Redis clients last.
 */
async function realtimeCore (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  await app.register(realtimeMetricsPlugin)
  await app.register(redisSubscriberPlugin, { name: `${config.REDIS_PREFIX}:subscriber:${config.INSTANCE_ID}` })
  await app.register(roomStorePlugin, { config })
  await app.register(roomHubPlugin, { config })
  await app.register(filmEndPlugin, { config })
  await app.register(readyWaitPlugin, { config })
  await app.register(presencePlugin, { config })
  await app.register(instanceRegistryPlugin, { config })
  await app.register(countersPlugin, { config })
  await app.register(chatPlugin, { config })
  await app.register(roomCommandsPlugin)
  await app.register(liveSocketsPlugin, { config })
}

export const realtimeCorePlugin = fp(realtimeCore, { name: 'realtime', dependencies: ['redis', 'watch-together-basics'] })
