import type { Member, TicketClaims } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { RedisClient } from '../plugins/redis.js'
import { globalKeys } from './keys.js'
import type { RoomStore } from './room-store.js'
import { scriptRunner } from './scripts.js'

/** Adds to a counter in a hash and drops the field at zero, in one step (so HLEN counts the non-zero ones). */
const COUNT_SCRIPT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
`

/**
 * Who is in a room: members (everyone who connected, by user) and their open connections,
 * counted across instances in Redis. A user's first connection is `presence.joined`, their
 * last one `presence.left`; every connection is a session.connected / disconnected event.
 */
export function createPresence (
  redis: RedisClient, log: RoomStore, prefix: string, instance: string,
  onMemberLeft: (roomId: string, userId: string) => Promise<void>
) {
  const global = globalKeys(prefix)
  const count = scriptRunner(redis, COUNT_SCRIPT)

  /** The service-wide counters (room.counters): users connected anywhere, users per film. */
  async function countUser (claims: TicketClaims, delta: 1 | -1, roomEdge: boolean) {
    await Promise.all([
      count([global.userConnections], [claims.sub, String(delta)]),
      roomEdge && claims.film ? count([global.filmViewers], [claims.film.id, String(delta)]) : undefined
    ])
  }

  /**
   * Counts a connection in and announces it. `alongside` (the joining socket's snapshot read) is sent
   * right behind the announcement on the same connection, so Redis runs it after the announcement (the
   * snapshot's seq covers it) without waiting a round trip for it; the counters go out at the same time.
   */
  async function connect<T> (claims: TicketClaims, connectionId: string, now: number, alongside: () => Promise<T>) {
    const { userConns, total, hostId, muted } = await log.addConnection(claims, now)
    // Once a host.changed has arrived it decides the role; the ticket may predate it.
    const role = hostId ? (hostId === claims.sub ? 'host' : 'guest') : claims.role
    const member: Member = { userId: claims.sub, name: claims.name, role, online: true, muted }
    const payload = { connectionId, instance, name: claims.name, userConnections: userConns }
    const announced = log.emit(claims.room, {
      ...(userConns === 1 ? { frame: { type: 'presence.joined', at: now, member } } : {}),
      event: { type: 'session.connected', userId: claims.sub, at: now, payload }
    })
    const read = alongside()
    const [, after] = await Promise.all([announced, read, countUser(claims, 1, userConns === 1)])
    return { total, after }
  }

  async function disconnect (claims: TicketClaims, connectionId: string, now: number) {
    const { userConns, total, live } = await log.removeConnection(claims.room, claims.sub)
    // The room was archived while this socket closed: it has no live state left to tell (nor to bring back).
    if (!live) return await countUser(claims, -1, true)
    const payload = { connectionId, instance, name: claims.name, userConnections: Math.max(0, userConns) }
    await log.emit(claims.room, {
      ...(userConns <= 0 ? { frame: { type: 'presence.left', at: now, userId: claims.sub } } : {}),
      event: { type: 'session.disconnected', userId: claims.sub, at: now, payload }
    })
    if (userConns < 0) await log.resetConnections(claims.room, claims.sub)
    await countUser(claims, -1, userConns === 0)
    if (userConns <= 0) {
      await log.setPlaying(claims.room, claims.sub, false)
      await onMemberLeft(claims.room, claims.sub)
    }
    if (total <= 0) {
      await log.markEmptied(claims.room)
      await log.emit(claims.room, { event: { type: 'room.emptied', userId: null, at: now, payload: {} } })
    }
  }

  return { connect, disconnect }
}
export type Presence = ReturnType<typeof createPresence>

declare module 'fastify' {
  interface FastifyInstance {
    presence: Presence
  }
}

export const presencePlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  app.decorate('presence', createPresence(app.redis, app.roomStore, config.REDIS_PREFIX, config.INSTANCE_ID,
    (roomId, userId) => app.readyWait.memberLeft(roomId, userId)))
}, { name: 'presence', dependencies: ['redis', 'room-store', 'ready-wait'] })
