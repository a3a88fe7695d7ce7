import { randomUUID } from 'node:crypto'
import { EVENT_SCHEMA_VERSION, type EventPayload, LEGACY_INVALID_FORMAT, LEGACY_NO_TRACK_STATE, LegacyState, parseLegacyMessage } from '@watch-together/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { WebSocket } from 'ws'
import type { Config } from '../config.js'
import { createOutboxIndex } from '../kafka/outbox-index.js'
import { globalKeys } from '../rooms/keys.js'
import { scriptRunner } from '../rooms/scripts.js'
import { originAllowed } from '../routes/room-socket.js'
import { verifyTicket } from '../ticket.js'
import { applyLegacy } from './legacy-state.js'

/**
 * Compare-and-set of a user's state, the relay to the user's other devices and the Kafka event
 * (device.state_changed, numbered by the user's own counter) in one step, so no accepted change
 * is relayed without reaching Kafka, or the reverse:
 * KEYS: state, seq, the person's outbox stream, its slot's outbox index (all in the person's slot); ARGV: expected JSON ('' = none), new JSON, channel, relay message, ttl,
 * event JSON without seq, outbox max length.
 */
const LEGACY_CAS = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[5])
local seq = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'e', '{"seq":' .. seq .. ',' .. string.sub(ARGV[6], 2))
redis.call('SADD', KEYS[4], KEYS[3])
redis.call('SPUBLISH', ARGV[3], ARGV[4])
return 1
`
const STATE_TTL_SECONDS = 30 * 86_400

type LegacyRequest = FastifyRequest<{ Querystring: { ticket?: string } }>

/**
 * GET /sync-player/ws?ticket=JWT — the original multi-device protocol (seeds/000), per user:
 * the ticket's `sub` is the user, its room is ignored. Every accepted update is relayed, as sent,
 * to the user's other devices on any instance.
 */
export async function legacySocketRoutes (app: FastifyInstance, { config }: { config: Config }) {
  const { redis, redisSubscriber: subscriber, realtimeMetrics: metrics, liveSockets } = app
  const keys = globalKeys(config.REDIS_PREFIX)
  const cas = scriptRunner(redis, LEGACY_CAS)
  const outbox = createOutboxIndex(redis, config.REDIS_PREFIX, config.OUTBOX_BUCKETS)
  const secret = new TextEncoder().encode(config.TICKET_SECRET)
  const devices = new Map<string, Map<string, WebSocket>>()

  function onRelay (userId: string, message: string) {
    const { from, raw } = JSON.parse(message) as { from: string, raw: string }
    for (const [id, socket] of devices.get(userId) ?? []) {
      if (id !== from && socket.readyState === WebSocket.OPEN) { socket.send(raw); metrics.framesOut.inc() }
    }
  }

  app.get('/sync-player/ws', { websocket: true }, (socket: WebSocket, request: LegacyRequest) => {
    metrics.connections.inc({ protocol: 'sync_player' })
    liveSockets.watch(socket)
    const deviceId = randomUUID()
    let userId: string | undefined
    let chain: Promise<unknown> = Promise.resolve()
    const early: string[] = []
    const send = (frame: object) => { if (socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); metrics.framesOut.inc() } }

    async function readState (): Promise<{ raw: string, state: LegacyState | null }> {
      const raw = await redis.get(keys.legacyState(userId!)) ?? ''
      const parsed = raw ? LegacyState.safeParse(JSON.parse(raw)) : null
      return { raw, state: parsed?.success ? parsed.data : null }
    }

    async function handle (text: string) {
      let json: unknown
      try { json = JSON.parse(text) } catch { return send(LEGACY_INVALID_FORMAT) }
      const msg = parseLegacyMessage(json)
      if (!msg) return send(LEGACY_INVALID_FORMAT)
      metrics.framesIn.inc({ type: `sync_player.${msg.type}` })
      for (let attempt = 0; attempt < 5; attempt++) {
        const { raw, state } = await readState()
        if (msg.type === 'get_player_state') return send(state ?? LEGACY_NO_TRACK_STATE)
        const next = applyLegacy(state, msg)
        if (next.kind !== 'state') return send(next.kind === 'invalid_format' ? LEGACY_INVALID_FORMAT : LEGACY_NO_TRACK_STATE)
        const relay = JSON.stringify({ from: deviceId, raw: text })
        const event = JSON.stringify({
          id: randomUUID(),
          type: 'device.state_changed',
          roomId: null,
          userId,
          at: Date.now(),
          v: EVENT_SCHEMA_VERSION,
          source: 'realtime',
          payload: { message: msg.type, deviceId, state: next.state } satisfies EventPayload<'device.state_changed'>
        })
        const stream = keys.legacyOutbox(userId!)
        const stored = await cas([keys.legacyState(userId!), keys.legacySeq(userId!), stream, outbox.slotIndexOf(stream)], [
          raw, JSON.stringify(next.state), keys.legacyChannel(userId!), relay, String(STATE_TTL_SECONDS), event, String(config.OUTBOX_MAX_LEN)
        ])
        if (stored === 1) { outbox.hint(stream).catch(() => {}); return }
      }
    }

    const enqueue = (text: string) => {
      chain = chain.then(() => handle(text)).catch((err: Error) => {
        request.log.error({ err }, 'sync-player message failed')
        send(LEGACY_INVALID_FORMAT)
      })
    }
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString('utf8')
      if (userId) enqueue(text)
      else if (early.length < 32) early.push(text)
    })
    socket.on('close', () => {
      metrics.connections.dec({ protocol: 'sync_player' })
      const user = userId
      if (!user) return
      const mine = devices.get(user)
      mine?.delete(deviceId)
      if (mine?.size === 0) {
        devices.delete(user)
        subscriber.sUnsubscribe(keys.legacyChannel(user)).catch(() => {})
      }
    })

    const start = async () => {
      if (!originAllowed(config.ALLOWED_ORIGINS, request)) return socket.close(4004, 'origin not allowed')
      const check = await verifyTicket(request.query.ticket, secret, null)
      if (!check.ok) return socket.close(check.code, check.reason)
      if (socket.readyState !== WebSocket.OPEN) return
      const user = check.claims.sub
      let mine = devices.get(user)
      if (!mine) {
        mine = new Map()
        devices.set(user, mine)
        await subscriber.sSubscribe(keys.legacyChannel(user), (message) => onRelay(user, message))
      }
      mine.set(deviceId, socket)
      userId = user
      // On connect the device gets the current state, or no_track_state when there is none yet.
      chain = chain.then(async () => { send((await readState()).state ?? LEGACY_NO_TRACK_STATE) })
      for (const text of early.splice(0)) enqueue(text)
    }
    start().catch((err: Error) => {
      request.log.error({ err }, 'sync-player set-up failed')
      socket.close(1011, 'internal error')
    })
  })
}
