import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { WebSocket } from 'ws'
import type { Config } from '../config.js'
import { createRealtimeMetrics } from '../metrics.js'
import type { Realtime } from '../rooms/context.js'
import { createCounters } from '../rooms/counters.js'
import { createFilmEnd } from '../rooms/film-end.js'
import { createHub } from '../rooms/hub.js'
import { roomKeys } from '../rooms/keys.js'
import { createPresence } from '../rooms/presence.js'
import { createInstanceRegistry } from '../rooms/instance-registry.js'
import { createRateLimiter } from '../rooms/rate-limit.js'
import { createReadyWait } from '../rooms/ready-wait.js'
import { createRoomLog } from '../rooms/room-log.js'
import { createRoomStore } from '../rooms/room-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime & {
      /** Resolves when every socket's disconnect bookkeeping is done (graceful shutdown waits on it). */
      track (work: Promise<unknown>): void
      /** Keeps a socket in the liveness sweep: a peer that misses a ping is terminated. */
      watch (socket: WebSocket): void
    }
  }
}

/**
 * The realtime core: room log, store, presence, the hub with its own Redis subscriber
 * connection, and the ping sweep. Registered after redis so it closes first.
 */
async function realtime (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  const metrics = createRealtimeMetrics(app.metrics)
  // Named, so operators (and the resync test) can tell it apart in CLIENT LIST.
  const subscriber = app.redis.duplicate({ name: `${config.REDIS_PREFIX}:subscriber:${config.INSTANCE_ID}`.replace(/\s/g, '_') })
  subscriber.on('error', (err) => app.log.warn({ err }, 'redis subscriber error'))
  await subscriber.connect()

  const roomLog = createRoomLog(app.redis, {
    prefix: config.REDIS_PREFIX,
    eventsMaxLen: config.ROOM_EVENTS_MAX,
    outboxMaxLen: config.OUTBOX_MAX_LEN,
    chatHistorySize: config.CHAT_HISTORY_SIZE,
    ttlSeconds: config.ROOM_TTL_SECONDS,
    checkFrames: config.FRAME_CHECKS
  })
  const hub = createHub(app.redis, subscriber, config.REDIS_PREFIX, metrics, app.log)
  await hub.start()
  // Pub/sub drops what is published while the connection is down: hold live frames from the first sign.
  subscriber.on('reconnecting', () => hub.hold())
  // Every later 'ready' is a reconnect: pub/sub lost what was published meanwhile; the room streams have it.
  subscriber.on('ready', () => {
    (async () => {
      // A barrier: this SUBSCRIBE is queued after the client's own re-subscriptions, so once Redis
      // acknowledges it the rooms are subscribed again and nothing falls between the two reads.
      const barrier = `${config.REDIS_PREFIX}:barrier:${randomUUID()}`
      await subscriber.subscribe(barrier, () => {})
      await subscriber.unsubscribe(barrier)
      await hub.resync(async (roomId, since) => {
        const latest = Number(await app.redis.get(roomKeys(config.REDIS_PREFIX, roomId).seq) ?? 0)
        return await roomLog.eventsSince(roomId, since, latest)
      })
    })().catch((err: Error) => app.log.warn({ err }, 'resync failed'))
  })

  const inFlight = new Set<Promise<unknown>>()
  const alive = new WeakSet<WebSocket>()
  const sockets = new Set<WebSocket>()
  const sweep = setInterval(() => {
    for (const socket of sockets) {
      if (!alive.has(socket)) { socket.terminate(); continue }
      alive.delete(socket)
      socket.ping()
    }
  }, config.WS_PING_INTERVAL_MS)
  sweep.unref()

  // Built in dependency order, each part from the ones before it; nothing is set after construction.
  const store = createRoomStore(app.redis, config.REDIS_PREFIX)
  const filmEnd = createFilmEnd({ config, redis: app.redis, log: app.log, store, roomLog })
  const readyWait = createReadyWait({ config, redis: app.redis, log: app.log, store, roomLog, filmEnd })
  const presence = createPresence(app.redis, roomLog, config.REDIS_PREFIX, config.INSTANCE_ID, config.ROOM_TTL_SECONDS,
    (roomId, userId) => readyWait.memberLeft(roomId, userId))
  const registry = createInstanceRegistry(app.redis, presence, {
    prefix: config.REDIS_PREFIX, instance: config.INSTANCE_ID, heartbeatMs: config.INSTANCE_HEARTBEAT_MS, log: app.log
  })
  const counters = createCounters(app.redis, hub, config.REDIS_PREFIX, config.COUNTERS_INTERVAL_MS, app.log)
  const rt: FastifyInstance['realtime'] = {
    config,
    redis: app.redis,
    subscriber,
    log: app.log,
    roomLog,
    store,
    hub,
    presence,
    metrics,
    readyWait,
    filmEnd,
    registry,
    counters,
    chatLimiter: createRateLimiter(app.redis, config.CHAT_RATE_MAX, config.CHAT_RATE_WINDOW_MS),
    track (work) {
      inFlight.add(work)
      work.finally(() => inFlight.delete(work)).catch(() => {})
    },
    watch (socket) {
      alive.add(socket)
      sockets.add(socket)
      socket.on('pong', () => alive.add(socket))
      socket.on('close', () => sockets.delete(socket))
    }
  }
  registry.start()
  counters.start()
  app.decorate('realtime', rt)

  app.addHook('onClose', async () => {
    clearInterval(sweep)
    rt.readyWait.stop()
    rt.filmEnd.stop()
    await rt.counters.stop()
    // Sockets were asked to close (1001) in preClose; give peers a moment, then cut the rest.
    const deadline = Date.now() + 2000
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    for (const socket of sockets) socket.terminate()
    while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    await rt.registry.stop()
    await subscriber.close().catch(() => {})
  })
}

export const realtimePlugin = fp(realtime, { name: 'realtime', dependencies: ['redis', 'watch-together-basics'] })
