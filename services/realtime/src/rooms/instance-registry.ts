import type { TicketClaims } from '@watch-together/protocol'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { RedisClient } from '../plugins/redis.js'
import type { Presence } from './presence.js'

type Session = Pick<TicketClaims, 'room' | 'sub' | 'name' | 'role' | 'controlMode' | 'film'>

/** What a connection's entry holds: what its count-out needs (presence.disconnect; `film` for the viewer counter). */
const entryOf = ({ room, sub, name, role, controlMode, film }: Session) => JSON.stringify({ room, sub, name, role, controlMode, film })

/**
 * Which instance holds which connection, with a heartbeat per instance. An instance that dies
 * without closing its sockets stops beating; another instance then counts its connections out
 * (presence.left, session.disconnected, room.emptied), so members do not stay "online" forever.
 *
 * An instance that only stalled (a freeze, a long GC pause, a loaded machine) for more than 3 beats is
 * taken for dead the same way, while its sockets are still open. Its next beat finds itself gone from
 * `…:instances` and it tells `onReaped` listeners, which close its sockets (1012) so their clients
 * reconnect and are counted in again. Whoever deletes a connection's entry counts it out (the reaper
 * or the socket's own close), so the reaped sockets' closes count nobody out a second time.
 */
export function createInstanceRegistry (redis: RedisClient, presence: Presence, opts: {
  prefix: string, instance: string, heartbeatMs: number, log: FastifyBaseLogger
}) {
  const instances = `${opts.prefix}:instances`
  const connsOf = (instance: string) => `${opts.prefix}:instance:{${instance}}:conns`
  /**
   * Each instance's own heartbeat interval, declared beside its beats: an instance is judged by its own
   * interval, not the judge's (during a rolling change of INSTANCE_HEARTBEAT_MS, the instances with the
   * shorter interval reaped the live ones with the longer). An instance that declared none (an older
   * version) is judged by the judge's.
   */
  const intervals = `${opts.prefix}:instances:heartbeat-ms`
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  /** This process's beat has listed it in `…:instances` at least once (a later ZADD that adds it: it was removed). */
  let listed = false
  const reapedListeners: Array<() => number> = []

  /**
   * The connections this process answers for: from the moment a socket is set up until its close
   * clean-up settled (done or failed). An entry of this instance's hash that is not among them is
   * stray: its clean-up failed (Redis was away when the socket closed), or it is the previous
   * process's (a restart under the same INSTANCE_ID). Each beat counts strays out.
   * The value: whether its entry was written (false while the HSET is out, or if it failed).
   */
  const held = new Map<string, boolean>()
  /** Connections claimed (entry deleted) whose count-out then failed: retried each beat until it works. */
  const owed = new Map<string, string>()

  /** Counts out a connection whose entry this process deleted; if that fails, it is owed (the next beats retry). */
  async function settle (connectionId: string, entry: string) {
    try {
      await presence.disconnect(JSON.parse(entry) as TicketClaims, connectionId, Date.now())
    } catch (err) {
      // Claimed but not counted out (Redis went away between the two): kept for a later beat.
      owed.set(connectionId, entry)
      throw err
    }
  }

  /**
   * Counts out the connections in `hash` (all, or those `counts` picks), each at most once: whoever
   * deletes a connection's entry counts it out, so two reapers (or a reaper and a restarted instance,
   * or a reaper and the socket's own close) never count one twice.
   */
  async function countOut (hash: string, counts: (connectionId: string) => boolean = () => true) {
    const conns = await redis.hGetAll(hash)
    let counted = 0
    for (const [connectionId, entry] of Object.entries(conns)) {
      if (!counts(connectionId)) continue
      if (await redis.hDel(hash, connectionId) !== 1) continue
      await settle(connectionId, entry)
      counted++
    }
    return counted
  }

  async function payOwed () {
    for (const [connectionId, entry] of owed) {
      await presence.disconnect(JSON.parse(entry) as TicketClaims, connectionId, Date.now())
      owed.delete(connectionId)
    }
  }

  async function reap (dead: string) {
    // One reaper at a time per dead instance, whichever instance gets there first. The claim is only
    // there to save work (HDEL decides who counts a connection out), so it is released when the reap
    // ends: an instance reaped, back (restarted or resumed) and dead again within the minute is reaped again.
    const declared = Number(await redis.hGet(intervals, dead)) || opts.heartbeatMs
    const alive = (beat: number | null) => beat !== null && beat > Date.now() - 3 * declared
    if (alive(await redis.zScore(instances, dead))) return
    const claim = `${connsOf(dead)}:reaping`
    if (!await redis.set(claim, opts.instance, { NX: true, PX: 60_000 })) return
    try {
      const beat = await redis.zScore(instances, dead)
      // Gone: another reaper finished it since our list was read. Beating again since it was listed
      // (restarted under its id, or resumed from a stall): its hash now holds live connections.
      if (beat === null || alive(beat)) return
      // The registry and the instance's hash are in two slots (Redis Cluster): separate commands.
      let counted = await countOut(connsOf(dead))
      await redis.zRem(instances, dead)
      await redis.hDel(intervals, dead)
      // An instance that was only stalled may have set up a socket between the read above and the ZREM:
      // counted out too (no DEL of the hash, which would drop such an entry uncounted). Entries written
      // after the ZREM belong to an instance that is alive: its next beat finds it was reaped and closes them.
      counted += await countOut(connsOf(dead))
      opts.log.warn({ instance: dead, connections: counted }, 'counted out the connections of a dead instance')
    } finally {
      await redis.del(claim).catch(() => {})
    }
  }

  /**
   * A process restarted under the same INSTANCE_ID (a container keeps its hostname, and its pid is
   * often 1 again) beats at once, so to the others its id never looks dead: the connections its id
   * still holds are the previous process's, whose sockets are gone; like any stray they are counted out
   * here. (Earlier versions moved them aside to `…:previous` first: what such a process left is counted out once.)
   */
  const previous = `${connsOf(opts.instance)}:previous`
  let previousDrained = false
  async function countOutStrays () {
    if (!previousDrained) { await countOut(previous); previousDrained = true }
    const counted = await countOut(connsOf(opts.instance), (connectionId) => !held.has(connectionId))
    if (counted > 0) opts.log.warn({ instance: opts.instance, connections: counted }, 'counted out connections this instance no longer holds')
  }

  /**
   * This instance was removed from `…:instances` while alive: another instance took it for dead and
   * counted its connections out (or Redis lost the registry). Its sockets are closed, so their clients
   * reconnect and are counted in again, instead of showing offline while connected.
   */
  function reaped () {
    let sockets = 0
    for (const listener of reapedListeners) {
      try { sockets += listener() } catch (err) { opts.log.error({ err }, 'closing the sockets of a reaped instance failed') }
    }
    opts.log.warn({ instance: opts.instance, sockets },
      'this instance was taken for dead (it missed 3 beats: a stall?) and its connections counted out: closed its sockets (1012) so they reconnect')
  }

  /** Lists this instance as alive at `at`; finding it had been removed means it was reaped. */
  async function list (at: number) {
    const added = await redis.zAdd(instances, { score: at, value: opts.instance })
    if (added === 1 && listed && !stopped) reaped()
    listed = true
  }

  async function beat () {
    const now = Date.now()
    await list(now)
    // Held up between reading the clock and the ZADD (a stall, a slow Redis): the time listed is old, and
    // the others could take this instance for dead at once (again). Listed anew with the time now.
    if (Date.now() - now > opts.heartbeatMs) await list(Date.now())
    await redis.hSet(intervals, opts.instance, String(opts.heartbeatMs))
    await payOwed()
    await countOutStrays()
    const dead = await redis.zRangeByScore(instances, 0, now - 3 * opts.heartbeatMs)
    for (const instance of dead) if (instance !== opts.instance) reapBeside(instance)
  }

  /**
   * Reaps run beside the beats, never in their chain: counting out a dead instance's connections takes a
   * few round trips each (seconds for hundreds), and a reaper that stopped beating meanwhile was itself
   * taken for dead by the instance it was reaping, once that one came back from a stall (the chaos soak:
   * a frozen instance reaped, then reaping its reaper, and both closed every socket).
   */
  const reaping = new Map<string, Promise<void>>()
  function reapBeside (dead: string) {
    if (reaping.has(dead)) return
    const work = reap(dead)
      .catch((err: Error) => { if (!stopped) opts.log.warn({ err, instance: dead }, 'reaping a dead instance failed') })
      .finally(() => reaping.delete(dead))
    reaping.set(dead, work)
  }

  return {
    start () {
      const tick = () => {
        beat().catch((err: Error) => { if (!stopped) opts.log.warn({ err }, 'instance heartbeat failed') })
          .finally(() => { if (!stopped) { timer = setTimeout(tick, opts.heartbeatMs); timer.unref() } })
      }
      tick()
    },
    /** Called (synchronously, from a beat) when this instance finds it was reaped; returns how many sockets it closed. */
    onReaped (listener: () => number) {
      reapedListeners.push(listener)
    },
    /** A socket is set up: from here until its `disconnected` settles, this process answers for it. */
    async connected (claims: Session, connectionId: string) {
      held.set(connectionId, false)
      await redis.hSet(connsOf(opts.instance), connectionId, entryOf(claims))
      if (held.has(connectionId)) held.set(connectionId, true)
    },
    /**
     * The socket's close clean-up. Its entry is deleted first and the connection counted out only if
     * that deleted it: none left means a reaper took this instance for dead and counted it out already.
     * If the count-out fails after the delete, it is owed (retried each beat). If the delete fails (Redis
     * away), the entry stays and the next beat counts it out as a stray, exactly once. Either way this
     * process no longer answers for the connection.
     */
    async disconnected (claims: Session, connectionId: string) {
      try {
        const deleted = redis.hDel(connsOf(opts.instance), connectionId)
        if (held.get(connectionId) === true) {
          if (await deleted !== 1) return
        } else {
          // Its HSET failed (or is still out: sent first, it lands first): no entry anyone else could have
          // claimed, so it is counted out here; the delete only drops an entry that landed after all.
          await deleted.catch(() => {})
        }
        await settle(connectionId, entryOf(claims))
      } finally {
        held.delete(connectionId)
      }
    },
    /** The connections this process answers for (tests). */
    heldCount: () => held.size,
    /** Instances that beat within the last 3 beats (the outbox shares its buckets among them). */
    async liveCount () {
      return await redis.zCount(instances, Date.now() - 3 * opts.heartbeatMs, '+inf')
    },
    /** Graceful stop: the sockets were counted out one by one; this instance leaves the registry. */
    async stop () {
      stopped = true
      clearTimeout(timer)
      await Promise.allSettled([...reaping.values()])
      await redis.zRem(instances, opts.instance).catch(() => {})
      await redis.hDel(intervals, opts.instance).catch(() => {})
    }
  }
}
export type InstanceRegistry = ReturnType<typeof createInstanceRegistry>

declare module 'fastify' {
  interface FastifyInstance {
    instanceRegistry: InstanceRegistry
  }
}

/** Beats from start; leaves the registry on close (after the sockets were counted out: it closes after them). */
export const instanceRegistryPlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  const registry = createInstanceRegistry(app.redis, app.presence, {
    prefix: config.REDIS_PREFIX, instance: config.INSTANCE_ID, heartbeatMs: config.INSTANCE_HEARTBEAT_MS, log: app.log
  })
  registry.start()
  app.decorate('instanceRegistry', registry)
  app.addHook('onClose', async () => { await registry.stop() })
}, { name: 'instance-registry', dependencies: ['redis', 'presence'] })
