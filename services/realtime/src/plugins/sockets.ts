import { CLOSE_CODES } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { WebSocket } from 'ws'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    liveSockets: {
      /** Resolves when every socket's disconnect bookkeeping is done (graceful shutdown waits on it). */
      track (work: Promise<unknown>): void
      /** Keeps a socket in the liveness sweep: a peer that misses a ping is terminated. */
      watch (socket: WebSocket): void
    }
  }
}

/**
 * This instance's open sockets: the ping sweep, and on close the wait for them to go and for their
 * disconnect bookkeeping to finish. Registered after the realtime core, so it closes first: the
 * instance registry, the ready-wait and the Redis clients are still there for that bookkeeping.
 * When the instance registry finds this instance was reaped, it closes them all (1012).
 */
async function liveSockets (app: FastifyInstance, { config }: { config: Config }) {
  const inFlight = new Set<Promise<unknown>>()
  const alive = new WeakSet<WebSocket>()
  const sockets = new Set<WebSocket>()
  const sweep = setInterval(() => {
    for (const socket of sockets) {
      if (!alive.has(socket)) { socket.terminate(); continue }
      alive.delete(socket)
      socket.ping()
    }
  }, config.WS_PING_INTERVAL_MS)
  sweep.unref()

  app.decorate('liveSockets', {
    track (work) {
      inFlight.add(work)
      work.finally(() => inFlight.delete(work)).catch(() => {})
    },
    watch (socket) {
      alive.add(socket)
      sockets.add(socket)
      socket.on('pong', () => alive.add(socket))
      socket.on('close', () => sockets.delete(socket))
    }
  })

  // Taken for dead by another instance (it stalled for 3 beats): its room connections were counted out
  // while their sockets stayed open. Every socket, of every protocol, is asked to reconnect (the client
  // SDK does, with `since`), so its member is counted in again rather than shown offline while connected.
  app.instanceRegistry.onReaped(() => {
    let closed = 0
    for (const socket of sockets) {
      if (socket.readyState !== socket.OPEN) continue
      socket.close(CLOSE_CODES.serviceRestart, 'instance was taken for dead: reconnect with since')
      closed++
    }
    return closed
  })

  app.addHook('onClose', async () => {
    clearInterval(sweep)
    // Sockets were asked to close (1001) in preClose; give peers a moment, then cut the rest.
    const deadline = Date.now() + 2000
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    for (const socket of sockets) socket.terminate()
    while (inFlight.size > 0) await Promise.allSettled([...inFlight])
  })
}

export const liveSocketsPlugin = fp(liveSockets, { name: 'live-sockets', dependencies: ['instance-registry'] })
