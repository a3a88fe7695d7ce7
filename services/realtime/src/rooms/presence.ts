import type { Member, TicketClaims } from '@watch-together/protocol'
import type { RedisClient } from '../plugins/redis.js'
import { globalKeys, roomKeys } from './keys.js'
import { filmState } from '@watch-together/sync-core'
import { scriptRunner } from './scripts.js'
import type { RoomLog } from './room-log.js'

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
  redis: RedisClient, log: RoomLog, prefix: string, instance: string, ttlSeconds: number,
  onMemberLeft: (roomId: string, userId: string) => Promise<void>
) {
  const global = globalKeys(prefix)
  const count = scriptRunner(redis, COUNT_SCRIPT)

  /** The service-wide counters (room.counters): users connected anywhere, users per film. */
  async function countUser (claims: TicketClaims, delta: 1 | -1, roomEdge: boolean) {
    await count([global.userConnections], [claims.sub, String(delta)])
    if (roomEdge && claims.film) await count([global.filmViewers], [claims.film.id, String(delta)])
  }

  async function connect (claims: TicketClaims, connectionId: string, now: number) {
    const keys = roomKeys(prefix, claims.room)
    const multi = redis.multi()
    // The room's film and its length come with room-api's ticket (absent in older tickets).
    if (claims.film) {
      multi.hSet(keys.meta, { filmId: claims.film.id, filmDurationMs: claims.film.durationMs })
      // The server owns the queue: whoever connects first finds the room's film queued (version 1).
      const state = filmState(claims.film.id, now)
      multi.hSetNX(keys.state, 'json', JSON.stringify(state)).hSetNX(keys.state, 'version', String(state.version)).expire(keys.state, ttlSeconds)
    }
    const replies = await multi
      .hSet(keys.members, claims.sub, JSON.stringify({ name: claims.name, role: claims.role }))
      // The ticket seeds the control mode; room.control_mode_changed events overwrite it.
      .hSetNX(keys.meta, 'controlMode', claims.controlMode)
      .hIncrBy(keys.conns, claims.sub, 1)
      .hIncrBy(keys.meta, 'connections', 1)
      .sAdd(global.activeRooms, claims.room)
      .expire(keys.members, ttlSeconds)
      .expire(keys.conns, ttlSeconds)
      .expire(keys.meta, ttlSeconds)
      .hGet(keys.meta, 'hostId')
      .sIsMember(keys.muted, claims.sub)
      .exec() as unknown as unknown[]
    const [userConns, total] = replies.slice(claims.film ? 6 : 2) as [number, number]
    const [hostId, muted] = replies.slice(-2) as [string | null, number | boolean]
    // Once a host.changed has arrived it decides the role; the ticket may predate it.
    const role = hostId ? (hostId === claims.sub ? 'host' : 'guest') : claims.role
    const member: Member = { userId: claims.sub, name: claims.name, role, online: true, muted: Number(muted) === 1 }
    const payload = { connectionId, instance, name: claims.name, userConnections: userConns }
    await log.emit(claims.room, {
      ...(userConns === 1 ? { frame: { type: 'presence.joined', at: now, member } } : {}),
      event: { type: 'session.connected', userId: claims.sub, at: now, payload }
    })
    await countUser(claims, 1, userConns === 1)
    return { total }
  }

  async function disconnect (claims: TicketClaims, connectionId: string, now: number) {
    const keys = roomKeys(prefix, claims.room)
    const [userConns, total] = await redis.multi()
      .hIncrBy(keys.conns, claims.sub, -1)
      .hIncrBy(keys.meta, 'connections', -1)
      .exec() as unknown as [number, number]
    const payload = { connectionId, instance, name: claims.name, userConnections: Math.max(0, userConns) }
    await log.emit(claims.room, {
      ...(userConns <= 0 ? { frame: { type: 'presence.left', at: now, userId: claims.sub } } : {}),
      event: { type: 'session.disconnected', userId: claims.sub, at: now, payload }
    })
    if (userConns < 0) await redis.hSet(keys.conns, claims.sub, 0)
    await countUser(claims, -1, userConns === 0)
    if (userConns <= 0) {
      await redis.sRem(keys.playing, claims.sub)
      await onMemberLeft(claims.room, claims.sub)
    }
    if (total <= 0) {
      await redis.multi().sRem(global.activeRooms, claims.room).hSet(keys.meta, 'connections', 0).exec()
      await log.emit(claims.room, { event: { type: 'room.emptied', userId: null, at: now, payload: {} } })
    }
  }

  return { connect, disconnect }
}
export type Presence = ReturnType<typeof createPresence>
