import { UserServerFrame } from '@watch-together/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { WebSocket } from 'ws'
import type { Config } from '../config.js'
import { globalKeys } from '../rooms/keys.js'
import { verifyUserTicket } from '../ticket.js'
import { originAllowed } from './room-socket.js'

type UserRequest = FastifyRequest<{ Querystring: { ticket?: string } }>

/**
 * GET /users/ws?ticket=JWT — a signed-in person's own channel (packages/protocol user-channel.ts):
 * invitations and friend changes, published to the person's sharded Redis channel by whichever instance
 * consumed the event, and sent to each of their open sockets here. Server → client only.
 */
export async function userSocketRoutes (app: FastifyInstance, { config }: { config: Config }) {
  const { redisSubscriber: subscriber, realtimeMetrics: metrics, liveSockets } = app
  const keys = globalKeys(config.REDIS_PREFIX)
  const secret = new TextEncoder().encode(config.TICKET_SECRET)
  const sockets = new Map<string, Set<WebSocket>>()
  /** The person's SUBSCRIBE, in flight or done: every socket of theirs waits for it before it is ready. */
  const subscribed = new Map<string, Promise<unknown>>()

  function onMessage (userId: string, message: string) {
    for (const socket of sockets.get(userId) ?? []) {
      if (socket.readyState === WebSocket.OPEN) { socket.send(message); metrics.framesOut.inc() }
    }
  }

  function forget (userId: string, socket: WebSocket) {
    const mine = sockets.get(userId)
    if (!mine) return
    mine.delete(socket)
    if (mine.size > 0) return
    sockets.delete(userId)
    subscribed.delete(userId)
    subscriber.sUnsubscribe(keys.userChannel(userId)).catch(() => {})
  }

  app.get('/users/ws', { websocket: true }, (socket: WebSocket, request: UserRequest) => {
    metrics.connections.inc({ protocol: 'user' })
    liveSockets.watch(socket)
    let userId: string | undefined
    // Nothing is read from the client on this channel; anything sent is ignored.
    socket.on('close', () => {
      metrics.connections.dec({ protocol: 'user' })
      if (userId) forget(userId, socket)
    })

    const start = async () => {
      if (!originAllowed(config.ALLOWED_ORIGINS, request)) return socket.close(4004, 'origin not allowed')
      const check = await verifyUserTicket(request.query.ticket, secret)
      if (!check.ok) return socket.close(check.code, check.reason)
      if (socket.readyState !== WebSocket.OPEN) return
      const user = check.claims.sub
      // Registered first (so a close from here on is cleaned up), then ready only once subscribed.
      userId = user
      const mine = sockets.get(user) ?? new Set<WebSocket>()
      sockets.set(user, mine)
      mine.add(socket)
      let subscription = subscribed.get(user)
      if (!subscription) {
        subscription = subscriber.sSubscribe(keys.userChannel(user), (message) => onMessage(user, message))
        subscribed.set(user, subscription)
      }
      try {
        await subscription
      } catch (err) {
        // Redis refused or is away: the next socket of this person tries again.
        subscribed.delete(user)
        throw err
      }
      if (socket.readyState !== WebSocket.OPEN) return
      const ready: UserServerFrame = { type: 'user.ready', you: { userId: user, name: check.claims.name }, serverTime: Date.now() }
      socket.send(JSON.stringify(ready))
    }
    start().catch((err: Error) => {
      request.log.error({ err }, 'user channel set-up failed')
      socket.close(1011, 'internal error')
    })
  })
}

/** Publishes a frame to a person's channel (every instance with a socket of theirs sends it on). */
export async function publishToUser (app: FastifyInstance, config: Config, userId: string, frame: UserServerFrame) {
  const { redis } = app
  if (config.FRAME_CHECKS) UserServerFrame.parse(frame)
  await redis.sPublish(globalKeys(config.REDIS_PREFIX).userChannel(userId), JSON.stringify(frame))
}
