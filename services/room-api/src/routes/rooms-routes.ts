import {
  ControlModeBody, CreateRoomBody, CreateRoomResponse, EmptySuccess, ErrorBody, InviteCodeParams, InvitedResponse, InviteFriendsBody, MemberParams, UserTicketResponse,
  MuteMemberBody, RemoveMemberBody, RoomIdParams, RoomNameParams, RoomPreviewResponse, RoomResponse, TicketResponse, TransferHostBody
} from '@watch-together/protocol'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Room } from '@watch-together/protocol'
import { errors } from '../errors.js'
import type { RoomsService } from '../rooms/rooms-service.js'
import type { TicketInput } from '../rooms/ticket.js'

export interface RoomsRoutesOptions {
  rooms: RoomsService
  signTicket: (input: TicketInput) => Promise<{ ticket: string, expiresAt: string }>
  signUserTicket: (user: { id: string, name: string }) => Promise<{ ticket: string, expiresAt: string }>
  /** Invites friends to a room (rooms/invitations.ts); returns who was invited. */
  invite: (user: { id: string, name: string }, roomId: string, userIds: string[]) => Promise<string[]>
  inviteLink: (code: string) => string
  createLimit: { max: number, timeWindow: number }
}

/** Room creations per user (one budget for the modern and the original-shape create). */
export function createRoomRateLimit (limit: { max: number, timeWindow: number }) {
  return {
    ...limit,
    keyGenerator: (request: FastifyRequest) => `create:${request.user?.id ?? request.ip}`,
    errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) => errors.rateLimited(context.ttl)
  }
}

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }
const secured = { tags: ['rooms'], security: [{ bearer: [] }] }

export const roomsRoutes: FastifyPluginAsyncZod<RoomsRoutesOptions> = async (app, opts) => {
  const { rooms } = opts
  app.addHook('onRequest', app.authenticate)
  const roomReply = (room: Room) => ok({ room })

  app.post('/rooms', {
    schema: { ...secured, summary: 'Create a room for a film; the creator hosts it', body: CreateRoomBody, response: { 201: CreateRoomResponse, ...fail } },
    config: { rateLimit: createRoomRateLimit(opts.createLimit) }
  }, async (request, reply) => {
    const room = await rooms.create(request.user, request.body.filmId, request.body.name)
    return reply.code(201).send(ok({ room, link: opts.inviteLink(room.inviteCode) }))
  })

  app.get('/rooms/:roomId', {
    schema: { ...secured, summary: 'Room details: film, members with roles and presence, status, control mode', params: RoomIdParams, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.details(request.user, request.params.roomId)))

  app.post('/rooms/:roomId/join', {
    schema: { ...secured, summary: 'Join a room by id (410 when closed)', params: RoomIdParams, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.join(request.user, request.params.roomId)))

  app.post('/invites/:code/join', {
    schema: { ...secured, summary: 'Join a room by its invite code (410 when closed)', params: InviteCodeParams, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.joinByCode(request.user, request.params.code)))

  app.get('/rooms/by-name/:name', {
    schema: { ...secured, summary: 'Find an active room by its name (what its invite preview shows)', params: RoomNameParams, response: { 200: RoomPreviewResponse, ...fail } }
  }, async (request) => ok({ room: await rooms.preview(request.params.name) }))

  app.post('/rooms/by-name/:name/join', {
    schema: { ...secured, summary: 'Join an active room by its name (like an invite code)', params: RoomNameParams, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.joinByName(request.user, request.params.name)))

  app.post('/rooms/:roomId/leave', {
    schema: { ...secured, summary: 'Leave a room (the original calls it disconnect); a leaving host hands over', params: RoomIdParams, response: { 200: EmptySuccess, ...fail } }
  }, async (request) => {
    await rooms.leave(request.user, request.params.roomId)
    return ok({})
  })

  app.post('/rooms/:roomId/close', {
    schema: { ...secured, summary: 'Close a room (host only)', params: RoomIdParams, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.close(request.user, request.params.roomId)))

  app.put('/rooms/:roomId/control-mode', {
    schema: { ...secured, summary: 'Set who controls playback (host only)', params: RoomIdParams, body: ControlModeBody, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.setControlMode(request.user, request.params.roomId, request.body.controlMode)))

  app.put('/rooms/:roomId/host', {
    schema: { ...secured, summary: 'Hand the host role to a present member (host only)', params: RoomIdParams, body: TransferHostBody, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.transferHost(request.user, request.params.roomId, request.body.userId)))

  app.post('/rooms/:roomId/members/:userId/remove', {
    schema: {
      ...secured,
      summary: 'Remove a member now (host only): their sockets close, their tickets stop working; ban also refuses them the invite while the room lives',
      params: MemberParams,
      body: RemoveMemberBody,
      response: { 200: RoomResponse, ...fail }
    }
  }, async (request) => roomReply(await rooms.remove(request.user, request.params.roomId, request.params.userId, request.body.ban)))

  app.put('/rooms/:roomId/members/:userId/mute', {
    schema: { ...secured, summary: "Mute or unmute a member's chat (host only)", params: MemberParams, body: MuteMemberBody, response: { 200: RoomResponse, ...fail } }
  }, async (request) => roomReply(await rooms.setMuted(request.user, request.params.roomId, request.params.userId, request.body.muted)))

  app.post('/rooms/:roomId/invitations', {
    schema: { ...secured, summary: 'Invite friends to the room: each gets a live invitation (friends only)', params: RoomIdParams, body: InviteFriendsBody, response: { 200: InvitedResponse, ...fail } }
  }, async (request) => ok({ invited: await opts.invite(request.user, request.params.roomId, [...new Set(request.body.userIds)]) }))

  app.post('/me/ticket', {
    schema: { ...secured, summary: 'A short-lived ticket for your own realtime channel (/users/ws: invitations, friend changes)', response: { 200: UserTicketResponse, ...fail } }
  }, async (request) => ok(await opts.signUserTicket(request.user)))

  app.post('/rooms/:roomId/ticket', {
    schema: { ...secured, summary: 'A short-lived ticket for the realtime service (present members only)', params: RoomIdParams, response: { 200: TicketResponse, ...fail } }
  }, async (request) => {
    const facts = await rooms.ticketFacts(request.user, request.params.roomId)
    const signed = await opts.signTicket({ userId: request.user.id, name: request.user.name, roomId: request.params.roomId, ...facts })
    return ok(signed)
  })
}
