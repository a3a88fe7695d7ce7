import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { RedisClient } from '../plugins/redis.js'
import type { Hub } from './hub.js'
import { globalKeys } from './keys.js'
import type { RoomStore } from './room-store.js'

/** Changes of the service-wide counts alone are pushed every this many ticks (see tick). */
const SERVICE_EVERY = 5

/**
 * The live counters of the original audio-player design, pushed over the socket: every second
 * each instance reads, for each room it has sockets of, the room's counts and the service-wide
 * ones from Redis (so they agree across instances), and sends `room.counters` to the room's local
 * sockets when they changed (the service-wide counts alone: every fifth tick). Users and film viewers
 * are counted by presence (presence.ts).
 */
export function createCounters (redis: RedisClient, store: RoomStore, hub: Hub, prefix: string, intervalMs: number, log: FastifyBaseLogger) {
  const global = globalKeys(prefix)
  const last = new Map<string, { frame: string, room: string }>()
  let ticks = 0
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined

  /** The service-wide counts, read once for every room of a tick (they were read once per room). */
  async function service (filmIds: string[]) {
    const [connectedUsers, activeRooms, viewers] = await Promise.all([
      redis.hLen(global.userConnections), redis.sCard(global.activeRooms), filmIds.length > 0 ? redis.hmGet(global.filmViewers, filmIds) : []
    ])
    return { connectedUsers, activeRooms, viewersOf: new Map(filmIds.map((id, i) => [id, Math.max(0, Number(viewers[i] ?? 0))])) }
  }

  function frameOf (counts: Awaited<ReturnType<RoomStore['presenceCounts']>>, global: Awaited<ReturnType<typeof service>>) {
    return {
      type: 'room.counters' as const,
      room: { online: counts.online.length, playing: counts.playing, buffering: counts.buffering },
      service: { connectedUsers: global.connectedUsers, activeRooms: global.activeRooms, filmViewers: counts.filmId ? global.viewersOf.get(counts.filmId) ?? 0 : 0 }
    }
  }

  async function read (roomId: string) {
    const counts = await store.presenceCounts(roomId)
    return frameOf(counts, await service(counts.filmId ? [counts.filmId] : []))
  }

  async function tick () {
    const rooms = hub.localRooms()
    const local = new Set(rooms)
    for (const roomId of [...last.keys()]) if (!local.has(roomId)) last.delete(roomId)
    const counts = await Promise.all(rooms.map(async (roomId) => await store.presenceCounts(roomId)))
    const everywhere = await service([...new Set(counts.map((c) => c.filmId).filter((id): id is string => id !== null))])
    const serviceDue = ++ticks % SERVICE_EVERY === 0
    rooms.forEach((roomId, i) => {
      const counted = frameOf(counts[i]!, everywhere)
      const frame = JSON.stringify(counted)
      const room = JSON.stringify(counted.room)
      const before = last.get(roomId)
      if (before?.frame === frame) return
      // Only the service-wide counts moved (someone connected anywhere): every socket of the service would
      // get a frame each tick while people join, as many writes as the rooms' own traffic; those wait
      // for every SERVICE_EVERY-th tick. The room's own counts, and a socket that just joined, go at once.
      if (before && before.room === room && !serviceDue) return
      last.set(roomId, { frame, room })
      hub.sendLocal(roomId, frame)
    })
  }

  return {
    start () {
      timer = setInterval(() => {
        if (running) return
        running = tick().catch((err: Error) => log.warn({ err }, 'counters tick failed')).finally(() => { running = undefined })
      }, intervalMs)
      timer.unref()
    },
    async stop () { clearInterval(timer); await running },
    /** A socket that just joined gets the current counters with its first tick, even if unchanged. */
    forget (roomId: string) { last.delete(roomId) },
    read
  }
}
export type Counters = ReturnType<typeof createCounters>

declare module 'fastify' {
  interface FastifyInstance {
    counters: Counters
  }
}

export const countersPlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  const counters = createCounters(app.redis, app.roomStore, app.roomHub, config.REDIS_PREFIX, config.COUNTERS_INTERVAL_MS, app.log)
  counters.start()
  app.decorate('counters', counters)
  app.addHook('onClose', async () => { await counters.stop() })
}, { name: 'counters', dependencies: ['redis', 'room-store', 'room-hub'] })
