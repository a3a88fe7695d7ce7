import { CreateRoomBody, RoomId } from '@watch-together/protocol'
import { AppError } from '@watch-together/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { RoomsService } from '../rooms/rooms-service.js'
import { createRoomRateLimit } from './rooms-routes.js'

/**
 * The original Watch Together document's REST shape, as a compatibility layer over the same
 * RoomsService as the modern routes (no rule is implemented twice):
 *
 * | original                            | modern equivalent                    |
 * | `POST room/` → {success,errors,link}| `POST /rooms` → {…, room, link}      |
 * | `GET room/{room_id}/join`           | `POST /rooms/:roomId/join`           |
 * | `POST room/{room_id}/disconnect`    | `POST /rooms/:roomId/leave`          |
 *
 * Differences the original asks for: errors are human-readable strings (not objects with codes),
 * `link` is always present on create (null on failure), and joining a room you are already in is an
 * error (`Room user "…" already exist!`) where the modern join is idempotent.
 */
export interface CompatRoutesOptions {
  rooms: RoomsService
  inviteLink: (code: string) => string
  createLimit: { max: number, timeWindow: number }
}

/** The original's create body had no schema: the modern one, with `film_id` accepted as well. */
const OriginalCreateBody = z.preprocess(
  (body) => body !== null && typeof body === 'object' && 'film_id' in body && !('filmId' in body)
    ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k === 'film_id' ? 'filmId' : k, v]))
    : body,
  CreateRoomBody)
const RoomIdParam = z.object({ room_id: RoomId })

declare module 'fastify' {
  interface FastifyContextConfig { compatLink?: boolean }
}

function parse<T> (schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new AppError('VALIDATION_FAILED', 400, z.prettifyError(result.error).replaceAll('\n', ' '))
}

/** Rewrites an error answer of the shared error handler into the original envelope (string errors). */
function toOriginal (request: FastifyRequest, payload: string): string {
  let body: { success?: unknown, errors?: Array<{ message?: string } | string> }
  try { body = JSON.parse(payload) } catch { return payload }
  if (body.success !== false || !Array.isArray(body.errors)) return payload
  const errors = body.errors.map((e) => typeof e === 'string' ? e : e.message ?? 'error')
  return JSON.stringify({ success: false, errors, ...(request.routeOptions.config.compatLink ? { link: null } : {}) })
}

export async function compatRoutes (app: FastifyInstance, opts: CompatRoutesOptions) {
  const { rooms } = opts
  app.addHook('onRequest', app.authenticate)
  app.addHook('onSend', async (request, reply, payload) =>
    reply.statusCode >= 400 && typeof payload === 'string' ? toOriginal(request, payload) : payload)
  const hidden = { tags: ['compat'], summary: 'The original document\'s shape (see the README\'s mapping table)' }

  const create = async (request: FastifyRequest) => {
    const body = parse(OriginalCreateBody, request.body ?? {})
    try {
      const room = await rooms.create(request.user, body.filmId, body.name)
      return { success: true, errors: [], link: opts.inviteLink(room.inviteCode) }
    } catch (err) {
      if (err instanceof AppError && err.code === 'ROOM_ALREADY_ACTIVE') {
        throw new AppError(err.code, err.statusCode, `Room for user "${request.user.id}" already exist!`)
      }
      throw err
    }
  }
  const createConfig = { compatLink: true, rateLimit: createRoomRateLimit(opts.createLimit) }
  app.post('/room/', { schema: hidden, config: createConfig }, create)
  app.post('/room', { schema: hidden, config: createConfig }, create)

  app.get('/room/:room_id/join', { schema: hidden }, async (request) => {
    const { room_id: roomId } = parse(RoomIdParam, request.params)
    const { changed } = await rooms.joinReporting(request.user, roomId)
    if (!changed) throw new AppError('ROOM_ALREADY_MEMBER', 409, `Room user "${request.user.id}" already exist!`)
    return { success: true, errors: [] }
  })

  app.post('/room/:room_id/disconnect', { schema: hidden }, async (request) => {
    const { room_id: roomId } = parse(RoomIdParam, request.params)
    try {
      await rooms.leave(request.user, roomId)
    } catch (err) {
      if (err instanceof AppError && err.code === 'ROOM_NOT_MEMBER') {
        throw new AppError(err.code, err.statusCode, `User "${request.user.id}" does not exist in the room "${roomId}"!`)
      }
      throw err
    }
    return { success: true, errors: [] }
  })
}
