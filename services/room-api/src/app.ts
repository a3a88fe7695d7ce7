import cookie from '@fastify/cookie'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import { kafkaPlugin, partitionCounter } from '@watch-together/kafka'
import { AUTH_COOKIES, CSRF_HEADER } from '@watch-together/protocol'
import { basicsPlugin, loggerOptions } from '@watch-together/service-kit'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import pino from 'pino'
import { Gauge } from 'prom-client'
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod'
import { accountsPlugin } from './accounts/accounts-plugin.js'
import type { Config } from './config.js'
import { mapDbError } from './db/errors.js'
import { runMigrations } from './db/migrations.js'
import { compatRoutes } from './routes/compat-routes.js'
import { eventsConsumerPlugin } from './consumer/events-consumer.js'
import { callConsumerPlugin } from './call/call-consumer.js'
import { CallService } from './call/call-service.js'
import { createCallTokenSigner } from './call/call-tokens.js'
import { livekitPlugin } from './call/livekit-plugin.js'
import { startEmptyRoomSweeper, startHostSweeper } from './rooms/sweepers.js'
import { createOutboxRelay } from './outbox/outbox-relay.js'
import { unsentCount } from './outbox/outbox-repository.js'
import { authPlugin } from './plugins/auth.js'
import { postgresPlugin } from './plugins/postgres.js'
import { LibraryRepository } from './rooms/library-repository.js'
import { RoomsService } from './rooms/rooms-service.js'
import { inviteFriends } from './rooms/invitations.js'
import { createTicketSigner, createUserTicketSigner } from './rooms/ticket.js'
import { devSignInRoutes } from './routes/auth-routes.js'
import { invitePageRoutes } from './routes/invite-page.js'
import { catalogRoutes, meRoutes } from './routes/library-routes.js'
import { roomsRoutes } from './routes/rooms-routes.js'
import { callRoutes, callWebhookRoutes } from './routes/call-routes.js'
import { webClientRoutes } from './routes/web-client.js'
import { hostname } from 'node:os'
import { MediaLibrary } from './media/media-library.js'
import { MediaRepository } from './media/media-repository.js'
import { adminMediaRoutes } from './routes/admin-media-routes.js'
import { mediaFileRoutes, playbackRoutes } from './routes/media-routes.js'
import { responseSerializerCompiler } from './response-serializer.js'

export const SERVICE = 'room-api'

/** Builds the room-api app; never listens (server.ts does), so tests build it and use inject. */
export async function buildApp (config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { ...loggerOptions(SERVICE, config.LOG_LEVEL) as object, ...(config.LOG_LEVEL === 'silent' ? {} : { stream: bufferedStdout() }) },
    trustProxy: config.TRUST_PROXY,
    // A path parameter of any length Node accepts (its request head is capped at 16 KiB) reaches
    // the route, whose validation answers our 400 envelope instead of Fastify's bare 414 past 100
    // characters. The limit guards regex parameters against backtracking; we have none.
    routerOptions: { maxParamLength: 16_384 },
    logController: new OneLinePerRequest()
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(responseSerializerCompiler)

  // Registered in dependency order, so onClose hooks close them in reverse.
  await app.register(basicsPlugin, { service: SERVICE, sentryDsn: config.SENTRY_DSN, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
  if (config.MIGRATE_ON_START) await runMigrations(config.DATABASE_URL, config.PG_SCHEMA, app.log)
  await app.register(postgresPlugin, { connectionString: config.DATABASE_URL, max: config.PG_POOL_MAX, schema: config.PG_SCHEMA })
  await app.register(kafkaPlugin, {
    brokers: config.KAFKA_BROKERS,
    clientId: SERVICE,
    topics: [
      { topic: config.KAFKA_TOPIC, partitions: config.KAFKA_TOPIC_PARTITIONS },
      ...(config.KAFKA_CONSUME ? [{ topic: config.KAFKA_DLQ_TOPIC, partitions: 3 }] : [])
    ],
    // Changes keep succeeding through a Kafka outage (events wait in the outbox table), so the
    // instance stays ready: /readyz reports Kafka without answering 503 for it.
    critical: false
  })
  await app.register(authPlugin, {
    secret: config.JWT_SECRET,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    nameClaim: config.JWT_NAME_CLAIM
  })
  await app.register(livekitPlugin, { url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET })
  // Parses the session cookies (refresh token, CSRF token); nothing else here reads cookies.
  await app.register(cookie)
  // Limits are per route (room creation, sign-in); the hook runs after authentication so creation is limited per user.
  await app.register(rateLimit, { global: false, hook: 'preHandler' })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Watch Together room-api', version: '1.0.0', description: 'Rooms, invite links, catalog, "want to watch", accounts, friends and matches.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: AUTH_COOKIES.refresh },
          csrfHeader: { type: 'apiKey', in: 'header', name: CSRF_HEADER }
        }
      }
    },
    transform: jsonSchemaTransform
  })

  const relay = createOutboxRelay({
    pool: app.pg,
    producer: app.kafka.producer,
    topic: config.KAFKA_TOPIC,
    partitionCount: partitionCounter(app.kafka.admin, config.KAFKA_TOPIC),
    isConnected: app.kafka.isConnected,
    lockKey: `${config.PG_SCHEMA}:outbox`,
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    log: app.log
  })
  const rooms = new RoomsService(app.pg, relay.nudge)
  const library = new LibraryRepository(app.pg)
  const mediaRepo = new MediaRepository(app.pg)
  const mediaLibrary = config.MEDIA_INGEST ? createMediaLibrary(app, config, mediaRepo) : null
  const media = { repo: mediaRepo, secret: config.MEDIA_URL_SECRET, ttlSeconds: config.MEDIA_URL_TTL_SECONDS, dataDir: config.MEDIA_DATA_DIR, cookieSecure: config.COOKIE_SECURE }
  const call = new CallService(app.pg, app.livekit.rooms,
    createCallTokenSigner(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, config.CALL_TOKEN_TTL_SECONDS), config.LIVEKIT_PUBLIC_URL, relay.nudge)
  const inviteLink = (code: string) => `${config.PUBLIC_BASE_URL}/r/${code}`
  const window = config.RATE_LIMIT_WINDOW_MS

  await app.register(async (api) => {
    useRoomErrors(api)
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
    if (config.DEV_SIGN_IN) {
      await api.register(devSignInRoutes, { ttlSeconds: config.DEV_TOKEN_TTL_SECONDS, limit: { max: config.RATE_LIMIT_SIGN_IN_MAX, timeWindow: window } })
    }
    await api.register(catalogRoutes, { library })
    await api.register(meRoutes, { library })
    await api.register(playbackRoutes, media)
    await api.register(adminMediaRoutes, { token: config.MEDIA_ADMIN_TOKEN, repo: mediaRepo, library: mediaLibrary })
    await api.register(accountsPlugin, { config, nudge: relay.nudge })
    await api.register(roomsRoutes, {
      rooms,
      signTicket: createTicketSigner(config.TICKET_SECRET, config.TICKET_TTL_SECONDS),
      signUserTicket: createUserTicketSigner(config.TICKET_SECRET, config.TICKET_TTL_SECONDS),
      invite: (user, roomId, userIds) => inviteFriends(app.pg, user, roomId, userIds, relay.nudge),
      inviteLink,
      createLimit: { max: config.RATE_LIMIT_CREATE_MAX, timeWindow: window }
    })
    await api.register(callRoutes, { call })
    await api.register(callWebhookRoutes, { call })
    await api.register(compatRoutes, { rooms, inviteLink, createLimit: { max: config.RATE_LIMIT_CREATE_MAX, timeWindow: window } })
  }, { prefix: '/api/v1' })
  await app.register(async (site) => {
    useRoomErrors(site)
    await site.register(mediaFileRoutes, media)
    await site.register(invitePageRoutes, { pool: app.pg, webRoomUrl: config.WEB_ROOM_URL, inviteLink, publicBaseUrl: config.PUBLIC_BASE_URL })
    if (config.WEB_DIST_DIR) {
      await site.register(webClientRoutes, { root: config.WEB_DIST_DIR, realtimeUrl: config.WEB_REALTIME_URL, devSignIn: config.DEV_SIGN_IN })
    }
  })

  if (config.KAFKA_CONSUME) {
    await app.register(eventsConsumerPlugin({ topic: config.KAFKA_TOPIC, groupId: config.KAFKA_GROUP_ID, dlqTopic: config.KAFKA_DLQ_TOPIC, rooms }))
    await app.register(callConsumerPlugin({ topic: config.KAFKA_TOPIC, groupId: `${config.KAFKA_GROUP_ID}-call`, dlqTopic: config.KAFKA_DLQ_TOPIC, call }))
  }
  startBackgroundWork(app, config, rooms, relay)
  registerOutboxMetric(app)
  return app
}

/**
 * Log lines go to stdout in writes of about 4 KiB, at least every half second, instead of one
 * synchronous write per line: a syscall per request line was ~5% of room-api's CPU under load.
 * pino flushes the buffer synchronously when the process exits, crash included.
 */
function bufferedStdout () {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 500 })
}

/**
 * One info line per request, written when it completes (method, url, client address, status, time),
 * instead of Fastify's two ("incoming request" and "request completed"): half the log volume and
 * serialization, and the completed line alone answers what a request did. Errors and 404s keep
 * Fastify's own lines.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest () {}
  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}

/** The outbox relay and the empty-room and absent-host sweepers: started when ready, stopped on close. */
function startBackgroundWork (app: FastifyInstance, config: Config, rooms: RoomsService, relay: ReturnType<typeof createOutboxRelay>) {
  let sweeper: ReturnType<typeof startEmptyRoomSweeper> | undefined
  let hostSweeper: ReturnType<typeof startHostSweeper> | undefined
  app.addHook('onReady', async () => {
    relay.start()
    sweeper = startEmptyRoomSweeper({ pool: app.pg, rooms, log: app.log }, config.EMPTY_ROOM_GRACE_MS, config.EMPTY_ROOM_SWEEP_MS)
    hostSweeper = startHostSweeper({ pool: app.pg, rooms, log: app.log }, config.HOST_GRACE_MS, config.HOST_SWEEP_MS)
  })
  app.addHook('onClose', async () => {
    await Promise.allSettled([relay.stop(), sweeper?.stop(), hostSweeper?.stop()])
  })
}

/**
 * The ingest queue of this instance: jobs a killed process left are restarted once the app is
 * ready; closing stops a running ffmpeg (its job restarts on the next start).
 */
function createMediaLibrary (app: FastifyInstance, config: Config, repo: MediaRepository) {
  const library = new MediaLibrary({
    repo,
    libraryRoot: config.MEDIA_LIBRARY_ROOT,
    dataDir: config.MEDIA_DATA_DIR,
    maxBytes: config.MEDIA_MAX_BYTES,
    runner: `room-api:${hostname()}:${process.pid}`,
    preset: config.MEDIA_X264_PRESET,
    staleMs: config.MEDIA_JOB_STALE_MS,
    log: app.log
  })
  app.addHook('onReady', async () => {
    library.recover().catch((err: unknown) => app.log.warn({ err }, 'media recovery failed'))
  })
  app.addHook('onClose', async () => { await library.close() })
  return library
}

/** Asked once from the cluster; asked again after a failure (the topic may have been recreated). */

/** Unpublished outbox events, read at scrape time: a growing value means Kafka or the relay is stuck. */
function registerOutboxMetric (app: FastifyInstance) {
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'room_api_outbox_unsent',
    help: 'Outbox events not yet published to Kafka',
    registers: [app.metrics],
    async collect () {
      try {
        this.set(await unsentCount(app.pg))
      } catch {
        // PostgreSQL down: /readyz says so; the scrape still succeeds.
      }
    }
  })
}

/**
 * Domain errors pass through to the kit's handler; an unreachable database becomes a 503 with a
 * stable code, and a validation error names its part of the request (body.filmId, params.roomId).
 */
function useRoomErrors (instance: FastifyInstance) {
  const parent = instance.errorHandler
  instance.setErrorHandler(function (err, request, reply) {
    return parent.call(this, withValidationContext(mapDbError(err) as FastifyError), request, reply)
  })
}

function withValidationContext (err: FastifyError): FastifyError {
  if (err.validation && err.validationContext) {
    const context = err.validationContext
    err.validation = err.validation.map((v) => ({ ...v, instancePath: `/${context}${v.instancePath === '/' ? '' : v.instancePath}` }))
  }
  return err
}
