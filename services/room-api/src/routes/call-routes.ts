import { CallMuteBody, CallMuteResponse, CallSelfMuteBody, CallSelfMuteResponse, CallTokenResponse, EmptySuccess, ErrorBody, MemberParams, RoomIdParams } from '@watch-together/protocol'
import type { FastifyPluginAsync } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { callErrors } from '../call/call-errors.js'
import type { CallService } from '../call/call-service.js'

export interface CallRoutesOptions { call: CallService }

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }
const secured = { tags: ['call'], security: [{ bearer: [] }] }

/** The call beside the film: a member's LiveKit token, and the host's moderation of the call. */
export const callRoutes: FastifyPluginAsyncZod<CallRoutesOptions> = async (app, { call }) => {
  app.addHook('onRequest', app.authenticate)

  app.post('/rooms/:roomId/call/token', {
    schema: { ...secured, summary: 'A short-lived LiveKit token for the call of this room (present members only; the host may also administer the call)', params: RoomIdParams, response: { 200: CallTokenResponse, ...fail } }
  }, async (request) => ok(await call.token(request.user, request.params.roomId)))

  app.post('/rooms/:roomId/call/members/:userId/mute', {
    schema: { ...secured, summary: "Mute (or unmute) a member's call tracks, the microphone by default (host only)", params: MemberParams, body: CallMuteBody, response: { 200: CallMuteResponse, ...fail } }
  }, async (request) => ok({ tracks: await call.mute(request.user, request.params.roomId, request.params.userId, request.body.sources, request.body.muted) }))

  app.post('/rooms/:roomId/call/self-mute', {
    schema: { ...secured, summary: 'Report that you muted or unmuted your own call track; recorded as LiveKit shows it (call.track_muted)', params: RoomIdParams, body: CallSelfMuteBody, response: { 200: CallSelfMuteResponse, ...fail } }
  }, async (request) => ok(await call.selfMute(request.user, request.params.roomId, request.body.trackSid, request.body.muted)))

  app.post('/rooms/:roomId/call/members/:userId/remove', {
    schema: { ...secured, summary: 'Remove a member from the call; they stay in the room (host only)', params: MemberParams, response: { 200: EmptySuccess, ...fail } }
  }, async (request) => {
    await call.removeFromCall(request.user, request.params.roomId, request.params.userId)
    return ok({})
  })
}

/**
 * LiveKit's webhooks (joins, leaves, tracks): the body is verified against the Authorization
 * header (a JWT signed with our LiveKit key, carrying the body's SHA-256), so it is read raw.
 */
export const callWebhookRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { call }) => {
  // LiveKit sends application/webhook+json; the hash covers the exact bytes, so no JSON parsing first.
  app.addContentTypeParser(['application/webhook+json', 'application/json'], { parseAs: 'string', bodyLimit: 1_048_576 }, (_request, body, done) => done(null, body))
  app.post('/call/webhook', { schema: { hide: true } }, async (request) => {
    let event
    try {
      event = await app.livekit.webhooks.receive(String(request.body ?? ''), request.headers.authorization)
    } catch {
      throw callErrors.webhookInvalid()
    }
    await call.onWebhook(event)
    return ok({})
  })
}
