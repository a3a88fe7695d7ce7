import type { TicketClaims } from '@watch-together/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { RedisClient } from '../plugins/redis.js'
import type { Presence } from './presence.js'

type Session = Pick<TicketClaims, 'room' | 'sub' | 'name' | 'role' | 'controlMode'>

/**
 * Which instance holds which connection, with a heartbeat per instance. An instance that dies
 * without closing its sockets stops beating; another instance then counts its connections out
 * (presence.left, session.disconnected, room.emptied), so members do not stay "online" forever.
 */
export function createInstanceRegistry (redis: RedisClient, presence: Presence, opts: {
  prefix: string, instance: string, heartbeatMs: number, log: FastifyBaseLogger
}) {
  const instances = `${opts.prefix}:instances`
  const connsOf = (instance: string) => `${opts.prefix}:instance:{${instance}}:conns`
  let timer: NodeJS.Timeout | undefined

  async function reap (dead: string) {
    // One reaper per dead instance, whichever instance gets there first.
    if (!await redis.set(`${connsOf(dead)}:reaping`, opts.instance, { NX: true, PX: 60_000 })) return
    const conns = await redis.hGetAll(connsOf(dead))
    for (const [connectionId, json] of Object.entries(conns)) {
      await presence.disconnect(JSON.parse(json) as TicketClaims, connectionId, Date.now())
      await redis.hDel(connsOf(dead), connectionId)
    }
    await redis.multi().zRem(instances, dead).del(connsOf(dead)).exec()
    opts.log.warn({ instance: dead, connections: Object.keys(conns).length }, 'counted out the connections of a dead instance')
  }

  async function beat () {
    const now = Date.now()
    await redis.zAdd(instances, { score: now, value: opts.instance })
    const dead = await redis.zRangeByScore(instances, 0, now - 3 * opts.heartbeatMs)
    for (const instance of dead) if (instance !== opts.instance) await reap(instance)
  }

  return {
    start () {
      const tick = () => {
        beat().catch((err: Error) => opts.log.warn({ err }, 'instance heartbeat failed'))
          .finally(() => { timer = setTimeout(tick, opts.heartbeatMs); timer.unref() })
      }
      tick()
    },
    async connected (claims: Session, connectionId: string) {
      const { room, sub, name, role, controlMode } = claims
      await redis.hSet(connsOf(opts.instance), connectionId, JSON.stringify({ room, sub, name, role, controlMode }))
    },
    async disconnected (connectionId: string) {
      await redis.hDel(connsOf(opts.instance), connectionId)
    },
    /** Graceful stop: the sockets were counted out one by one; this instance leaves the registry. */
    async stop () {
      clearTimeout(timer)
      await redis.zRem(instances, opts.instance).catch(() => {})
    }
  }
}
export type InstanceRegistry = ReturnType<typeof createInstanceRegistry>
