import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { RoomServiceClient, WebhookReceiver } from 'livekit-server-sdk'

declare module 'fastify' {
  interface FastifyInstance {
    livekit: { rooms: RoomServiceClient, webhooks: WebhookReceiver }
  }
}

export interface LivekitPluginOptions {
  /** The server API (http:// or https://). */
  url: string
  apiKey: string
  apiSecret: string
}

/**
 * LiveKit, the calls' SFU: its server API (RoomService, plain HTTP requests: nothing to open or
 * close) and the receiver that verifies its webhooks. /readyz reports it without failing for it:
 * rooms, chat and the film work while the call server is away.
 */
async function livekit (app: FastifyInstance, opts: LivekitPluginOptions) {
  // 5 s per request: a call server that hangs must not hold a consumer or a request for long.
  const rooms = new RoomServiceClient(opts.url, opts.apiKey, opts.apiSecret, { requestTimeout: 5 })
  app.decorate('livekit', { rooms, webhooks: new WebhookReceiver(opts.apiKey, opts.apiSecret) })
  app.readiness.add('livekit', async () => {
    // A real request: the server API lists rooms only for a valid signed request.
    await rooms.listRooms([])
  }, { critical: false })
}

export const livekitPlugin = fp(livekit, { name: 'livekit' })
