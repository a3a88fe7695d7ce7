import type { FastifyBaseLogger } from 'fastify'
import type { RealtimeMetrics } from '../metrics.js'
import type { RedisClient } from '../plugins/redis.js'
import { globalKeys, roomKeys } from './keys.js'

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
  send (frame: string): void
  close (code: number, reason: string): void
}

export type ControlMessage =
  | { kind: 'close_room', roomId: string, code: number, reason: string }
  /** `endedAt`: the seq of the member.left; a socket of a later membership (epoch ≥ it) is left alone. */
  | { kind: 'kick', roomId: string, userId: string, code: number, reason: string, endedAt?: number }

const SEQ_PREFIX = /^\{"seq":(\d+),/

/**
 * This instance's sockets by room, fed by Redis pub/sub: one subscription per room with local
 * sockets, so every instance delivers a room's frames in the order the emit script published them.
 */
export function createHub (redis: RedisClient, subscriber: RedisClient, prefix: string, metrics: RealtimeMetrics, log: FastifyBaseLogger) {
  const rooms = new Map<string, Set<Conn>>()
  const listeners = new Map<string, (message: string) => void>()
  /** The room's SUBSCRIBE in flight or done: every socket waits for it before reading its snapshot. */
  const subscribed = new Map<string, Promise<unknown>>()
  /** Sockets whose live frames are held while the subscriber reconnects. */
  const held = new Set<Conn>()
  const global = globalKeys(prefix)

  function sendTo (conn: Conn, frame: string, seq: number) {
    if (seq > 0) {
      if (seq <= conn.lastSeq) return
      conn.lastSeq = seq
    }
    conn.send(frame)
  }

  function deliver (roomId: string, frame: string) {
    const conns = rooms.get(roomId)
    if (!conns) return
    const seq = Number(SEQ_PREFIX.exec(frame)?.[1] ?? 0)
    if (seq > 0) {
      const at = Number(/"at":(\d+)/.exec(frame)?.[1] ?? 0)
      if (at) metrics.fanoutSeconds.observe(Math.max(0, Date.now() - at) / 1000)
    }
    for (const conn of conns) {
      if (!conn.ready) conn.pending.push(frame)
      else sendTo(conn, frame, seq)
    }
  }

  /** Sends the catch-up frames (snapshot already sent), then whatever arrived meanwhile, in seq order. */
  function markReady (conn: Conn, catchUp: string[]) {
    for (const frame of catchUp) sendTo(conn, frame, Number(SEQ_PREFIX.exec(frame)?.[1] ?? 0))
    conn.ready = true
    for (const frame of conn.pending) sendTo(conn, frame, Number(SEQ_PREFIX.exec(frame)?.[1] ?? 0))
    conn.pending = []
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
    async start () {
      await subscriber.subscribe(global.control, onControl)
    },
    /** Registers a socket; resolves once this instance is subscribed to its room. */
    async add (conn: Conn) {
      let conns = rooms.get(conn.roomId)
      if (!conns) {
        conns = new Set()
        rooms.set(conn.roomId, conns)
        const listener = (message: string) => deliver(conn.roomId, message)
        listeners.set(conn.roomId, listener)
        subscribed.set(conn.roomId, subscriber.subscribe(roomKeys(prefix, conn.roomId).channel, listener))
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
      const listener = listeners.get(conn.roomId)
      listeners.delete(conn.roomId)
      subscribed.delete(conn.roomId)
      metrics.rooms.set(rooms.size)
      if (listener) {
        subscriber.unsubscribe(roomKeys(prefix, conn.roomId).channel, listener)
          .catch((err: Error) => log.warn({ err }, 'unsubscribe failed'))
      }
    },
    markReady,
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
    async resync (eventsAfter: (roomId: string, since: number) => Promise<string[] | null>) {
      const byRoom = new Map<string, Conn[]>()
      for (const c of held) byRoom.set(c.roomId, [...(byRoom.get(c.roomId) ?? []), c])
      held.clear()
      for (const [roomId, conns] of byRoom) {
        let frames: string[] | null = null
        try {
          frames = await eventsAfter(roomId, Math.min(...conns.map((c) => c.lastSeq)))
        } catch (err) {
          log.warn({ err, roomId }, 'resync after a Redis reconnect failed')
        }
        for (const c of conns) {
          if (frames === null) c.close(1012, 'reconnect with since to catch up')
          else markReady(c, frames)
        }
      }
    },
    /** Frames that are not room events (typing): published to the room without a seq or storage. */
    async publishEphemeral (roomId: string, frame: object) {
      await redis.publish(roomKeys(prefix, roomId).channel, JSON.stringify(frame))
    },
    async publishControl (msg: ControlMessage) {
      await redis.publish(global.control, JSON.stringify(msg))
    },
    /**
     * Sends a frame that is not a room event (no seq, like room.counters) to this instance's ready
     * sockets of the room; a socket still joining is skipped (what it would get may predate its join).
     */
    sendLocal (roomId: string, frame: string) {
      for (const conn of rooms.get(roomId) ?? []) if (conn.ready) conn.send(frame)
    },
    localRooms: () => [...rooms.keys()],
    connectionCount: () => { let n = 0; for (const c of rooms.values()) n += c.size; return n }
  }
}
export type Hub = ReturnType<typeof createHub>
