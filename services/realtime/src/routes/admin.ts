import { timingSafeEqual } from 'node:crypto'
import { RoomId } from '@watch-together/protocol'
import { AppError } from '@watch-together/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Config } from '../config.js'

export const AnnouncementBody = z.object({
  text: z.string().trim().min(1).max(1000),
  /** One room; absent = every active room. */
  roomId: RoomId.optional()
})

function requireAdmin (config: Config, request: FastifyRequest) {
  if (!config.ADMIN_TOKEN) throw new AppError('RT_ADMIN_DISABLED', 503, 'no ADMIN_TOKEN is configured')
  const given = Buffer.from(request.headers.authorization?.replace(/^Bearer /, '') ?? '')
  const expected = Buffer.from(config.ADMIN_TOKEN)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('RT_UNAUTHORIZED', 401, 'a valid admin bearer token is required')
  }
}

/** Live counters for operators (GET /stats) and announcements (POST /admin/announcements); both need the admin token. */
export async function adminRoutes (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  const { roomStore: store, roomHub: hub } = app

  // Operators only since the counters are pushed to clients over the socket (room.counters).
  app.get('/stats', async (request) => {
    requireAdmin(config, request)
    const rooms = await store.activeRooms()
    const users = new Set<string>()
    const viewersPerFilm: Record<string, number> = {}
    let activeRooms = 0
    for (const roomId of rooms) {
      const { online, filmId } = await store.presenceCounts(roomId)
      if (online.length === 0) continue
      activeRooms++
      for (const userId of online) users.add(userId)
      const film = filmId ?? 'unknown'
      viewersPerFilm[film] = (viewersPerFilm[film] ?? 0) + online.length
    }
    return { connectedUsers: users.size, activeRooms, viewersPerFilm, instanceConnections: hub.connectionCount() }
  })

  app.post('/admin/announcements', async (request, reply) => {
    requireAdmin(config, request)
    const body = AnnouncementBody.parse(request.body)
    const scope = body.roomId ? 'room' : 'all'
    const rooms = body.roomId ? [body.roomId] : await store.activeRooms()
    const now = Date.now()
    for (const roomId of rooms) {
      await store.emit(roomId, {
        frame: { type: 'announcement.sent', at: now, text: body.text, scope },
        event: { type: 'announcement.sent', userId: null, at: now, payload: { text: body.text, scope } }
      })
    }
    return reply.code(202).send({ rooms: rooms.length })
  })
}
