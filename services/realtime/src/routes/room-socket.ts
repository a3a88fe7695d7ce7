import { randomUUID } from 'node:crypto'
import { CLOSE_CODES, type RealtimeErrorCode, ServerFrame } from '@watch-together/protocol'
import { traceFrom, withTrace } from '@watch-together/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { WebSocket } from 'ws'
import type { Conn } from '../rooms/hub.js'
import { END_CLOSE_CODES, END_REASONS } from '../rooms/membership.js'
import type { Session } from '../rooms/session.js'
import { retryTransient } from '../plugins/redis-retry.js'
import type { Config } from '../config.js'
import { verifyTicket } from '../ticket.js'

/** A socket this far behind (bytes queued) is too slow to follow the room: it is closed. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024
const TEXT_FRAME = { binary: false } as const

export function originAllowed (allowed: string[], request: FastifyRequest) {
  const origin = request.headers.origin
  // Non-browser clients send no Origin; the ticket authenticates them.
  return allowed.length === 0 || origin === undefined || allowed.includes(origin)
}

type RoomRequest = FastifyRequest<{ Params: { roomId: string }, Querystring: { ticket?: string, since?: string } }>

/** GET /rooms/:roomId/ws?ticket=JWT[&since=SEQ]: the room protocol (packages/protocol/src/realtime.ts). */
export async function roomSocketRoutes (app: FastifyInstance, { config }: { config: Config }) {
  const { roomStore: store, roomHub: hub, presence, instanceRegistry: registry, counters, filmEnd, roomCommands, liveSockets } = app
  const metrics = app.realtimeMetrics
  const secret = new TextEncoder().encode(config.TICKET_SECRET)

  app.get('/rooms/:roomId/ws', { websocket: true }, (socket: WebSocket, request: RoomRequest) => {
    metrics.connections.inc({ protocol: 'room' })
    liveSockets.watch(socket)
    const early: Array<[Buffer, boolean, number]> = []
    let session: Session | undefined
    let chain: Promise<unknown> = Promise.resolve()
    let closed = false

    const send = (frame: string | Buffer) => {
      if (socket.readyState !== WebSocket.OPEN) return
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) { socket.close(1013, 'too slow to keep up'); return }
      // Always a text frame (the hub hands the same Buffer to every member of a room).
      socket.send(frame, TEXT_FRAME)
      metrics.framesOut.inc()
    }
    const enqueue = (data: Buffer, isBinary: boolean, at: number) => {
      const current = session
      if (!current) return
      // One command at a time per socket, so a client's commands apply in the order it sent them.
      // Each frame is its own trace: its log lines and the events it makes carry the trace id.
      const trace = traceFrom(null, 'websocket frame', { 'watch_together.room_id': current.claims.room })
      chain = chain.then(() => withTrace(trace, async () => {
        try {
          // A Redis failover (a replica taking over in seconds) is waited out, the command retried in order.
          await retryTransient(async () => await roomCommands.dispatch(current, data, isBinary, at), config.REDIS_RETRY_MS,
            (err, attempt) => request.log.warn({ err, attempt }, 'Redis unavailable for a moment; retrying the command'))
          request.log.debug({ connectionId: current.connectionId }, 'frame handled')
          trace.end()
        } catch (err) {
          request.log.error({ err }, 'frame handler failed')
          app.reportError(err as Error, { service: 'realtime', where: 'websocket frame' })
          trace.end(err as Error)
          current.error('RT_INTERNAL', 'internal error')
        }
      }))
    }

    // Listeners attach synchronously (messages that arrive during the async set-up are kept).
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const at = Date.now()
      if (session) enqueue(data, isBinary, at)
      else if (early.length < 32) early.push([data, isBinary, at])
    })
    socket.on('close', () => {
      closed = true
      metrics.connections.dec({ protocol: 'room' })
      const ended = session
      if (!ended) return
      hub.remove(ended.conn)
      // Counted out unless a reaper already did (this instance was taken for dead); if this fails (Redis
      // away), the registry's next beats count the connection out (instance-registry.ts).
      liveSockets.track(chain.then(async () => { await registry.disconnected(ended.claims, ended.connectionId) })
        .catch((err: Error) => request.log.warn({ err }, 'disconnect bookkeeping failed')))
    })

    const start = async () => {
      if (!originAllowed(config.ALLOWED_ORIGINS, request)) return socket.close(CLOSE_CODES.originNotAllowed, 'origin not allowed')
      const check = await verifyTicket(request.query.ticket, secret, request.params.roomId)
      if (!check.ok) return socket.close(check.code, check.reason)
      const { claims } = check
      if (closed) return

      const connectionId = randomUUID()
      const conn: Conn = {
        id: connectionId,
        roomId: claims.room,
        userId: claims.sub,
        epoch: claims.epoch,
        lastSeq: 0,
        ready: false,
        pending: [],
        send,
        close: (code, reason) => socket.close(code, reason)
      }
      const current: Session = {
        conn,
        claims,
        connectionId,
        buffering: false,
        reply: (frame) => {
          if (config.FRAME_CHECKS) ServerFrame.parse(frame)
          send(JSON.stringify(frame))
        },
        error: (code: RealtimeErrorCode, message, extra = {}) => {
          metrics.frameErrors.inc({ code })
          current.reply({ type: 'error', code, message, ...extra })
        }
      }
      await hub.add(conn)
      // Checked once the socket is in the hub: a member.left (or room.closed) written after this read is
      // followed by a kick that finds the socket there, so none can slip between the check and the kick.
      // Both reads go out together (one round trip).
      const [meta, ended] = await Promise.all([store.meta(claims.room), store.membershipEnd(claims.room, claims.sub, claims.epoch)])
      if (meta.closed || ended || closed) {
        hub.remove(conn)
        if (meta.closed) socket.close(CLOSE_CODES.roomClosed, 'room closed')
        else if (ended) socket.close(END_CLOSE_CODES[ended], END_REASONS[ended])
        return
      }
      session = current
      // From here the close listener owns the clean-up; set-up continues in the socket's chain.
      chain = chain.then(async () => {
        const now = Date.now()
        // Independent writes, sent together; the snapshot is read right behind the join's announcement
        // (presence.connect), on the same connection, so it includes this member and the announcement.
        const [{ after: snap }] = await Promise.all([
          presence.connect(claims, connectionId, now, async () => await store.snapshot(claims.room, now, config.CHAT_HISTORY_SIZE)),
          registry.connected(claims, connectionId)
        ])
        const since = /^\d+$/.test(request.query.since ?? '') ? Number(request.query.since) : undefined
        const missed = since === undefined ? null : await store.eventsSince(claims.room, since, snap.seq)
        const me = snap.members.find((m) => m.userId === claims.sub)
        current.reply({
          type: 'session.ready',
          connectionId,
          you: { userId: claims.sub, name: claims.name, role: me?.role ?? claims.role, muted: me?.muted ?? false },
          hostId: snap.meta.hostId ?? snap.members.find((m) => m.role === 'host')?.userId ?? null,
          serverTime: Date.now(),
          controlMode: snap.meta.controlMode,
          seq: snap.seq,
          resumed: missed !== null,
          state: snap.state,
          members: snap.members,
          chat: missed === null ? snap.chat : []
        })
        conn.lastSeq = missed === null ? snap.seq : since ?? 0
        hub.markReady(conn, missed ?? [])
        // The next counters tick sends the room's counters to everyone, this socket included.
        counters.forget(claims.room)
        // Whoever serves the room looks at its end too (the instance that started it may be gone).
        filmEnd.watch(claims.room, { state: snap.state, meta: snap.meta })
      }).catch((err: Error) => {
        // Handled here, so a failed set-up can never become an unhandled rejection.
        request.log.error({ err }, 'websocket set-up failed')
        socket.close(1011, 'internal error')
      })
      for (const [data, isBinary, at] of early.splice(0)) enqueue(data, isBinary, at)
    }
    start().catch((err: Error) => {
      request.log.error({ err }, 'websocket set-up failed')
      if (!closed) socket.close(1011, 'internal error')
    })
  })
}
