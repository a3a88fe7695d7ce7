import { randomUUID } from 'node:crypto'
import { CLOSE_CODES } from '@watch-together/protocol'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { RealtimeMetrics } from '../metrics.js'
import type { RedisClient } from '../plugins/redis.js'
import { END_CLOSE_CODES, END_REASONS } from './membership.js'
import { createSubscriptionCheck } from './subscription-check.js'

/** One websocket of a room on this instance, as the hub sees it. */
export interface Conn {
  id: string
  roomId: string
  userId: string
  /** The membership epoch of the socket's ticket (undefined for tickets without one). */
  epoch?: number | undefined
  /** The last room seq this socket has been sent; older or repeated frames are skipped. */
  lastSeq: number
  /** Until the session.ready frame is out, live frames wait in `pending`. */
  ready: boolean
  pending: string[]
  /** A Buffer is sent as a text frame too (the hub encodes a room frame once for all its members). */
  send (frame: string | Buffer): void
  close (code: number, reason: string): void
}

export type ControlMessage =
  | { kind: 'close_room', roomId: string, code: number, reason: string }
  /** `endedAt`: the seq of the member.left; a socket of a later membership (epoch ≥ it) is left alone. */
  | { kind: 'kick', roomId: string, userId: string, code: number, reason: string, endedAt?: number }

const SEQ_PREFIX = /^\{"seq":(\d+),/
/** Marks a control message on a room's channel (frames are JSON objects, so none starts like this). */
const CONTROL_PREFIX = 'control:'

/** After a sign of pub/sub trouble, live frames are checked for gaps (and rooms swept) this long. */
const WATCH_MS = 30_000
const SWEEP_MS = 500
/** How long closeEnded leaves an end it found to its own frame and control message. */
const CLOSE_ENDED_GRACE_MS = 2_000
/** How long a subscription probe may take to come back (generous: a false alarm costs a re-subscribe and a catch-up). */
const PROBE_WAIT_MS = 5_000
const seqOf = (frame: string) => Number(SEQ_PREFIX.exec(frame)?.[1] ?? 0)

/** The room frames after `since` up to the room's latest, or null when no longer all held (room-log.ts). */
export type EventsAfter = (roomId: string, since: number) => Promise<string[] | null>

/** Which of a room's sockets a kick or room close would have closed by now, with its close code and reason. */
export type EndedSockets = (roomId: string, conns: Conn[]) => Promise<Array<{ conn: Conn, code: number, reason: string }>>

/**
 * This instance's sockets by room, fed by Redis sharded pub/sub: one subscription per room with
 * local sockets (on the room's node when Redis is a cluster), so every instance delivers a room's
 * frames in the order the emit script published them.
 */
export function createHub (redis: RedisClient, subscriber: RedisClient, channelOf: (roomId: string) => string, metrics: RealtimeMetrics, log: FastifyBaseLogger) {
  const rooms = new Map<string, Set<Conn>>()
  /** The last room frame (seq) this instance fanned out per room, and frames held while a gap is filled. */
  const roomSeq = new Map<string, number>()
  const filling = new Map<string, string[]>()
  let watchUntil = 0
  let sweeper: NodeJS.Timeout | undefined
  let eventsAfter: EventsAfter | undefined
  let endedSockets: EndedSockets | undefined
  const listeners = new Map<string, (message: string) => void>()
  /** The room's SUBSCRIBE in flight or done: every socket waits for it before reading its snapshot. */
  const subscribed = new Map<string, Promise<unknown>>()
  /** Sockets whose live frames are held while the subscriber reconnects. */
  const held = new Set<Conn>()
  const probes = createSubscriptionCheck(async (channel, message) => await redis.sPublish(channel, message))

  function sendTo (conn: Conn, frame: string | Buffer, seq: number) {
    if (seq > 0) {
      if (seq <= conn.lastSeq) return
      conn.lastSeq = seq
    }
    conn.send(frame)
  }

  function deliver (roomId: string, frame: string) {
    if (probes.intercept(frame) || !rooms.has(roomId)) return
    if (frame.startsWith(CONTROL_PREFIX)) {
      // Published after the frames before it: while a gap is filled those wait, so it waits behind them
      // (a close_room would otherwise close the sockets before the room.closed frame reaches them).
      const held = filling.get(roomId)
      if (held) held.push(frame)
      else onControl(frame.slice(CONTROL_PREFIX.length))
      return
    }
    const seq = seqOf(frame)
    if (seq > 0) {
      const held = filling.get(roomId)
      if (held) { held.push(frame); return }
      const last = roomSeq.get(roomId) ?? 0
      // While pub/sub may have dropped frames (a node failed over, a connection came back), a jump in
      // seq is checked against the room's stream first (Kafka-only events take seqs too: most jumps are those).
      if (last > 0 && seq > last + 1 && Date.now() < watchUntil) { filling.set(roomId, [frame]); fill(roomId).catch(() => {}); return }
    }
    fanOut(roomId, frame, seq)
  }

  /**
   * Fills the room's gap from its stream, then sends what arrived meanwhile, in seq order. A stream
   * that no longer reaches back that far sends the room's sockets to catch up by reconnecting, unless
   * they are about to be closed anyway (`closing`).
   */
  async function fill (roomId: string, closing = false) {
    filling.set(roomId, filling.get(roomId) ?? [])
    try {
      const frames = await eventsAfter?.(roomId, roomSeq.get(roomId) ?? 0)
      if (frames === null) {
        if (!closing) for (const conn of rooms.get(roomId) ?? []) conn.close(CLOSE_CODES.serviceRestart, 'reconnect with since to catch up')
      } else {
        for (const frame of frames ?? []) fanOut(roomId, frame, seqOf(frame))
      }
    } catch (err) {
      log.warn({ err, roomId }, 'filling a pub/sub gap from the room stream failed')
    } finally {
      const held = filling.get(roomId) ?? []
      filling.delete(roomId)
      // Frames in seq order, then the control messages that came behind them, in arrival order.
      const controls = held.filter((frame) => frame.startsWith(CONTROL_PREFIX))
      for (const frame of held.filter((f) => !f.startsWith(CONTROL_PREFIX)).sort((a, b) => seqOf(a) - seqOf(b))) fanOut(roomId, frame, seqOf(frame))
      for (const control of controls) onControl(control.slice(CONTROL_PREFIX.length))
    }
  }

  /** While watching: frames published after the last one this instance saw are read from each room's stream. */
  function sweep () {
    sweeper = undefined
    for (const roomId of rooms.keys()) if (!filling.has(roomId) && (roomSeq.get(roomId) ?? 0) > 0) fill(roomId).catch(() => {})
    if (Date.now() < watchUntil) { sweeper = setTimeout(sweep, SWEEP_MS); sweeper.unref(); return }
    // The watch is over, pub/sub long back: the control messages it may have lost are made up for.
    closeEnded().catch((err: Error) => log.warn({ err }, 'checking memberships after pub/sub trouble failed'))
  }

  /**
   * Control messages (a kick, a room close) published while pub/sub was losing messages are lost, and
   * unlike frames no stream holds them: every socket here is checked against what Redis records (a
   * membership that ended, a closed room; written before the control message is published), and the
   * ones a lost message would have closed are closed now, with its code.
   */
  async function closeEnded () {
    const found: Array<[string, Awaited<ReturnType<EndedSockets>>]> = []
    for (const [roomId, conns] of [...rooms]) {
      try {
        const ended = await endedSockets?.(roomId, [...conns]) ?? []
        if (ended.length > 0) found.push([roomId, ended])
      } catch (err) {
        log.warn({ err, roomId }, 'checking the memberships of a room\'s sockets failed')
      }
    }
    if (found.length === 0) return
    // An end recorded just now has its frame (member.left, room.closed: written right after the record)
    // and its control message on the way: they get a moment to arrive and close the socket themselves.
    await new Promise((resolve) => setTimeout(resolve, CLOSE_ENDED_GRACE_MS))
    for (const [roomId, ended] of found) {
      const open = ended.filter(({ conn }) => rooms.get(roomId)?.has(conn))
      if (open.length === 0) continue
      // The frames that ended them are sent from the room's stream first: a socket learns why before it closes.
      if (!filling.has(roomId)) await fill(roomId, true)
      for (const { conn, code, reason } of open) conn.close(code, reason)
    }
  }

  /** The rooms whose subscription a probe did not come back through (of how many were probed). */
  async function silentRooms (waitMs: number) {
    // Only subscriptions Redis has acknowledged: one still in flight is not silent, just not there yet.
    const roomIds = [...rooms.keys()]
    const settled = await Promise.allSettled(roomIds.map(async (id) => await subscribed.get(id)))
    const acknowledged = roomIds.filter((id, i) => settled[i]!.status === 'fulfilled' && subscribed.has(id))
    if (acknowledged.length === 0) return { lost: [], of: 0 }
    const silent = new Set(await probes.silent(acknowledged.map(channelOf), waitMs))
    return { lost: acknowledged.filter((id) => silent.has(channelOf(id)) && rooms.has(id)), of: acknowledged.length }
  }

  function fanOut (roomId: string, frame: string, seq: number) {
    const conns = rooms.get(roomId)
    if (!conns) return
    // A frame seen before (a gap filled from the stream, then the same frame live) is skipped per socket
    // (sendTo), never per room: a socket that joined with a newer snapshot must not hold back the others.
    if (seq > (roomSeq.get(roomId) ?? 0)) {
      roomSeq.set(roomId, seq)
      const at = Number(/"at":(\d+)/.exec(frame)?.[1] ?? 0)
      if (at) metrics.fanoutSeconds.observe(Math.max(0, Date.now() - at) / 1000)
    }
    // Encoded once for the whole room: ws would otherwise turn the string into bytes for every socket.
    const bytes = conns.size > 1 ? Buffer.from(frame) : frame
    for (const conn of conns) {
      if (!conn.ready) conn.pending.push(frame)
      else sendTo(conn, bytes, seq)
    }
  }

  /** Sends the catch-up frames (snapshot already sent), then whatever arrived meanwhile, in seq order. */
  function markReady (conn: Conn, catchUp: string[]) {
    for (const frame of catchUp) sendTo(conn, frame, seqOf(frame))
    conn.ready = true
    for (const frame of conn.pending) sendTo(conn, frame, seqOf(frame))
    conn.pending = []
    // The first socket's snapshot is where gap checks of its room start, until a live frame comes.
    if (rooms.has(conn.roomId) && !roomSeq.get(conn.roomId)) roomSeq.set(conn.roomId, conn.lastSeq)
  }

  function onControl (raw: string) {
    let msg: ControlMessage
    try { msg = JSON.parse(raw) as ControlMessage } catch { return }
    for (const conn of rooms.get(msg.roomId) ?? []) {
      if (msg.kind === 'close_room') { conn.close(msg.code, msg.reason); continue }
      if (conn.userId !== msg.userId) continue
      // A member who left and joined again holds a newer ticket: a late or replayed leave spares it.
      if (msg.endedAt !== undefined && conn.epoch !== undefined && conn.epoch >= msg.endedAt) continue
      conn.close(msg.code, msg.reason)
    }
  }

  return {
    /** `after`: how a gap is filled (the room store's stream); `ended`: which sockets lost control messages would close. */
    start (after: EventsAfter, ended: EndedSockets) {
      eventsAfter = after
      endedSockets = ended
    },
    /** Pub/sub may be losing frames (a node reconnecting, failing over, a slot moving): check for gaps for a while. */
    watch () {
      watchUntil = Date.now() + WATCH_MS
      if (!sweeper) { sweeper = setTimeout(sweep, SWEEP_MS); sweeper.unref() }
    },
    stop () { clearTimeout(sweeper); watchUntil = 0 },
    /** Registers a socket; resolves once this instance is subscribed to its room. */
    async add (conn: Conn) {
      let conns = rooms.get(conn.roomId)
      if (!conns) {
        conns = new Set()
        rooms.set(conn.roomId, conns)
        const listener = (message: string) => deliver(conn.roomId, message)
        listeners.set(conn.roomId, listener)
        subscribed.set(conn.roomId, subscriber.sSubscribe(channelOf(conn.roomId), listener))
      }
      conns.add(conn)
      metrics.rooms.set(rooms.size)
      try {
        await subscribed.get(conn.roomId)
      } catch (err) {
        // Redis refused or is away: forget the subscription so the next socket of the room tries again.
        subscribed.delete(conn.roomId)
        conns.delete(conn)
        if (conns.size === 0) { rooms.delete(conn.roomId); listeners.delete(conn.roomId) }
        throw err
      }
    },
    remove (conn: Conn) {
      const conns = rooms.get(conn.roomId)
      held.delete(conn)
      if (!conns?.delete(conn) || conns.size > 0) return
      rooms.delete(conn.roomId)
      roomSeq.delete(conn.roomId)
      const listener = listeners.get(conn.roomId)
      listeners.delete(conn.roomId)
      subscribed.delete(conn.roomId)
      metrics.rooms.set(rooms.size)
      if (listener) {
        subscriber.sUnsubscribe(channelOf(conn.roomId), listener)
          .catch((err: Error) => log.warn({ err }, 'unsubscribe failed'))
      }
    },
    markReady,
    closeEnded,
    /** The rooms whose subscription is silent now (probed, nothing made again). */
    silentRooms: async (waitMs = PROBE_WAIT_MS) => (await silentRooms(waitMs)).lost,
    /**
     * Proves every room subscription with a probe (subscription-check.ts). A silent one is made again,
     * the frames it missed are sent from the room's stream, and the kicks and closes it missed are
     * made up for (closeEnded). Returns how many were silent.
     */
    async checkSubscriptions (waitMs = PROBE_WAIT_MS): Promise<number> {
      const { lost, of } = await silentRooms(waitMs)
      for (const roomId of lost) {
        const listener = listeners.get(roomId)
        if (!listener || !rooms.has(roomId)) continue
        const channel = channelOf(roomId)
        // Frames the new subscription brings wait behind the catch-up (fill releases them, in seq order).
        filling.set(roomId, filling.get(roomId) ?? [])
        try {
          // Unsubscribing first makes node-redis send the SSUBSCRIBE (it believes the channel subscribed).
          await subscriber.sUnsubscribe(channel, listener)
          // The room emptied (and maybe filled again, with its own subscription) meanwhile: nothing to make again.
          if (listeners.get(roomId) !== listener) continue
          const again = subscriber.sSubscribe(channel, listener)
          subscribed.set(roomId, again)
          await again
          if (listeners.get(roomId) !== listener) await subscriber.sUnsubscribe(channel, listener)
          else metrics.subscriptionsRepaired.inc()
        } catch (err) {
          // Redis went away again: the room stays in the checks (as acknowledged) and the next one finds it silent.
          if (listeners.get(roomId) === listener) subscribed.set(roomId, Promise.resolve())
          log.warn({ err, roomId }, 'subscribing a silent room again failed; the next check tries again')
        } finally {
          await fill(roomId)
        }
      }
      if (lost.length > 0) {
        log.warn({ rooms: lost.length, of }, 'room subscriptions were silent (lost on a Redis reconnect): subscribed again, caught up from the room streams')
        await closeEnded()
      }
      return lost.length
    },
    /** The subscriber lost its connection: live frames wait (in order) until resync fills the gap. */
    hold () {
      for (const conns of rooms.values()) {
        for (const c of conns) if (c.ready) { c.ready = false; held.add(c) }
      }
    },
    /**
     * After the subscriber reconnected, frames published meanwhile never reached this instance:
     * they are read from each room's stream after the last seq its held sockets got, then sent
     * with what arrived live since, in seq order. Sockets too far behind are closed (1012) to
     * reconnect with `since`.
     */
    async resync (after: EventsAfter) {
      const byRoom = new Map<string, Conn[]>()
      for (const c of held) byRoom.set(c.roomId, [...(byRoom.get(c.roomId) ?? []), c])
      held.clear()
      for (const [roomId, conns] of byRoom) {
        let frames: string[] | null = null
        try {
          frames = await after(roomId, Math.min(...conns.map((c) => c.lastSeq)))
        } catch (err) {
          log.warn({ err, roomId }, 'resync after a Redis reconnect failed')
        }
        for (const c of conns) {
          if (frames === null) c.close(CLOSE_CODES.serviceRestart, 'reconnect with since to catch up')
          else markReady(c, frames)
        }
      }
    },
    /** Frames that are not room events (typing): published to the room without a seq or storage. */
    async publishEphemeral (roomId: string, frame: object) {
      await redis.sPublish(channelOf(roomId), JSON.stringify(frame))
    },
    /**
     * A room closed, a member removed: sent on the room's own channel, after the frames that tell the
     * members why (room.closed, member.left) on the same channel, so every instance closes the
     * sockets after sending those (two channels, on two nodes of a cluster, would not keep that order).
     */
    async publishControl (msg: ControlMessage) {
      await redis.sPublish(channelOf(msg.roomId), CONTROL_PREFIX + JSON.stringify(msg))
    },
    /**
     * Sends a frame that is not a room event (no seq, like room.counters) to this instance's ready
     * sockets of the room; a socket still joining is skipped (what it would get may predate its join).
     */
    sendLocal (roomId: string, frame: string) {
      const conns = rooms.get(roomId)
      if (!conns) return
      // Encoded once for the room, as fanOut does.
      const bytes = conns.size > 1 ? Buffer.from(frame) : frame
      for (const conn of conns) if (conn.ready) conn.send(bytes)
    },
    localRooms: () => [...rooms.keys()],
    connectionCount: () => { let n = 0; for (const c of rooms.values()) n += c.size; return n }
  }
}
export type Hub = ReturnType<typeof createHub>

declare module 'fastify' {
  interface FastifyInstance {
    roomHub: Hub
  }
}

/** The hub on the subscriber connection, with its hold-and-resync across pub/sub reconnects. */
async function roomHub (app: FastifyInstance, { config }: { config: Config }) {
  const subscriber = app.redisSubscriber
  const store = app.roomStore
  const hub = createHub(app.redis, subscriber, store.channelOf, app.realtimeMetrics, app.log)
  const after: EventsAfter = async (roomId, since) => await store.eventsSince(roomId, since, await store.seq(roomId))
  const ended: EndedSockets = async (roomId, conns) => {
    const [meta, ends] = await Promise.all([store.meta(roomId), Promise.all(conns.map(async (c) => await store.membershipEnd(roomId, c.userId, c.epoch)))])
    if (meta.closed) return conns.map((conn) => ({ conn, code: CLOSE_CODES.roomClosed, reason: 'room closed' }))
    return conns.flatMap((conn, i) => {
      const end = ends[i]
      return end ? [{ conn, code: END_CLOSE_CODES[end], reason: END_REASONS[end] }] : []
    })
  }
  hub.start(after, ended)
  const single = !app.redisTopology.cluster
  // Every room subscription is proven now and then and after each reconnect (subscription-check.ts).
  let checking: Promise<unknown> | null = null
  let again = false
  const checkSubscriptions = () => {
    // One at a time; one asked for meanwhile (a reconnect) runs right after. While the one Redis's
    // subscriber is away every probe is lost: the check waits for its return (resync asks again).
    if (checking || (single && !subscriber.isReady)) { again ||= checking !== null; return }
    // Bounded: a subscriber connection that never comes back must not stop every later check.
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => { app.log.warn('checking the room subscriptions got no answer within 60 s; tried again later'); resolve() }, 60_000)
      timer.unref()
    })
    const check = hub.checkSubscriptions()
      .catch((err: Error) => { app.log.warn({ err }, 'checking the room subscriptions failed (Redis away?); tried again later') })
    checking = Promise.race([check, limit]).finally(() => {
      clearTimeout(timer)
      checking = null
      if (again) { again = false; checkSubscriptions() }
    })
  }
  const checker = config.SUBSCRIPTION_CHECK_MS > 0 ? setInterval(checkSubscriptions, config.SUBSCRIPTION_CHECK_MS) : undefined
  checker?.unref()
  // A check in flight is not waited for: against a Redis that is gone it could hold the close for its whole minute.
  app.addHook('onClose', async () => { hub.stop(); clearInterval(checker) })
  app.redisTopology.watchSubscriber(subscriber, {
    // Pub/sub drops what is published while a connection is down. One Redis: live frames are held from
    // the first sign until resync. A cluster has a connection per shard, re-subscribed by node-redis on
    // its own: the hub checks live frames for gaps and sweeps its rooms' streams for a while instead.
    onTrouble: () => { hub.watch(); if (single) hub.hold() },
    onBack: () => { if (single) resync(); else setTimeout(checkSubscriptions, 1_000).unref() }
  })
  // Every later 'ready' is a reconnect: pub/sub lost what was published meanwhile; the room streams have it.
  function resync () {
    (async () => {
      // A barrier: this SUBSCRIBE is queued after the client's own re-subscriptions, so once Redis
      // acknowledges it the rooms are subscribed again and nothing falls between the two reads.
      const barrier = `${config.REDIS_PREFIX}:barrier:${randomUUID()}`
      await subscriber.subscribe(barrier, () => {})
      await subscriber.unsubscribe(barrier)
      await hub.resync(after)
      await hub.closeEnded()
    })().catch((err: Error) => app.log.warn({ err }, 'resync failed')).finally(checkSubscriptions)
  }
  app.decorate('roomHub', hub)
}

export const roomHubPlugin = fp(roomHub, { name: 'room-hub', dependencies: ['redis', 'redis-subscriber', 'room-store', 'realtime-metrics'] })
