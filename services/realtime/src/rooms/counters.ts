import type { FastifyBaseLogger } from 'fastify'
import type { RedisClient } from '../plugins/redis.js'
import type { Hub } from './hub.js'
import { globalKeys, roomKeys } from './keys.js'

/**
 * The live counters of the original audio-player design, pushed over the socket: every second
 * each instance reads, for each room it has sockets of, the room's counts and the service-wide
 * ones from Redis (so they agree across instances), and sends `room.counters` to the room's local
 * sockets when they changed. Users and film viewers are counted by presence (presence.ts).
 */
export function createCounters (redis: RedisClient, hub: Hub, prefix: string, intervalMs: number, log: FastifyBaseLogger) {
  const global = globalKeys(prefix)
  const last = new Map<string, string>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined

  async function read (roomId: string) {
    const keys = roomKeys(prefix, roomId)
    const [conns, playing, buffering, filmId] = await Promise.all([
      redis.hVals(keys.conns), redis.sMembers(keys.playing), redis.hLen(keys.buffering), redis.hGet(keys.meta, 'filmId')
    ])
    const [connectedUsers, activeRooms, filmViewers] = await Promise.all([
      redis.hLen(global.userConnections), redis.sCard(global.activeRooms), filmId ? redis.hGet(global.filmViewers, filmId) : null
    ])
    return {
      type: 'room.counters' as const,
      room: { online: conns.filter((n) => Number(n) > 0).length, playing: playing.length, buffering },
      service: { connectedUsers, activeRooms, filmViewers: Math.max(0, Number(filmViewers ?? 0)) }
    }
  }

  async function tick () {
    const rooms = hub.localRooms()
    for (const roomId of [...last.keys()]) if (!rooms.includes(roomId)) last.delete(roomId)
    await Promise.all(rooms.map(async (roomId) => {
      const frame = JSON.stringify(await read(roomId))
      if (last.get(roomId) === frame) return
      last.set(roomId, frame)
      hub.sendLocal(roomId, frame)
    }))
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
