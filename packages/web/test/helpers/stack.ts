// The whole stack for the browser tests: room-api (serving the built page and the films) and
// realtime, each built from its own buildApp on a free port, pointed at each other and at this
// worktree's servers, with a topic, consumer group, schema and key prefix of their own.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createAdmin } from '@watch-together/kafka'
import { freePort, startLivekit, stack, type TestLivekit, uniqueName } from '@watch-together/test-kit'
import pg from 'pg'
import { buildApp as buildRoomApi } from '../../../../services/room-api/src/app.js'
import { readConfig as readRoomApiConfig } from '../../../../services/room-api/src/config.js'
import { buildApp as buildRealtime } from '../../../../services/realtime/src/app.js'
import { readConfig as readRealtimeConfig } from '../../../../services/realtime/src/config.js'
import { requireStack } from '../../../../services/room-api/test/helpers/app.js'
import { requireRedis } from '../../../../services/realtime/test/helpers.js'
import { type CuttableProxy, cuttableProxy } from './proxy.js'

export const WEB_DIST = fileURLToPath(new URL('../../dist', import.meta.url))
const TICKET_SECRET = 'web-e2e-ticket-secret-0123456789abcdef'

interface Teardown { teardown (fn: () => unknown): void }

export interface StackOptions {
  /** room-api settings on top of the test's own, e.g. `{ HOST_GRACE_MS: '1500', HOST_SWEEP_MS: '200' }`. */
  roomApi?: Record<string, string>
  /** realtime settings on top of the test's own, e.g. `{ ADMIN_TOKEN: '…' }` for POST /admin/announcements. */
  realtime?: Record<string, string>
  /** Put a cuttable proxy between the page and realtime (the connection-loss test). */
  realtimeProxy?: boolean
  /** A LiveKit server of the test's own for the call, its webhooks pointed at this room-api. */
  livekit?: boolean
}

export interface Stack {
  /** room-api's base URL: the page's origin. */
  base: string
  /** realtime's websocket base URL, and the same server over HTTP (its /admin endpoints). */
  realtime: string
  realtimeHttp: string
  /** With `realtimeProxy`: cut and restore realtime as the page sees it. */
  proxy?: CuttableProxy
  /** The stack's own Kafka topic (every event of its rooms). */
  topic: string
  /** The call's LiveKit server, when asked for. */
  livekit?: TestLivekit
}

/** Starts realtime then room-api; returns room-api's base URL (the page's origin) and realtime's. */
export async function startStack (t: Teardown, opts: StackOptions = {}): Promise<Stack> {
  if (!existsSync(`${WEB_DIST}/index.html`) || !existsSync(`${WEB_DIST}/media/sintel.webm`)) {
    throw new Error(`the web client is not built in ${WEB_DIST}: run pnpm --filter @watch-together/web build`)
  }
  await requireStack()
  await requireRedis()
  const topic = uniqueName('web_e2e')
  const schema = uniqueName('web_e2e')
  // The topic is made small here and deleted afterwards: every partition left behind slows the
  // broker's restart in the fault tests that follow.
  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'web-e2e' })
  await admin.connect()
  await admin.ensureTopics([{ topic, partitions: 3 }])
  const closers: Array<() => Promise<unknown>> = []
  t.teardown(async () => {
    for (const close of closers.reverse()) await close().catch(() => {})
    await admin.deleteTopics([topic]).catch(() => {})
    await admin.disconnect()
  })

  const realtime = await buildRealtime(readRealtimeConfig({
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'warn',
    TICKET_SECRET,
    REDIS_PREFIX: uniqueName('rt_web'),
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: uniqueName('rt_web_group'),
    ...opts.realtime
  }), { consumeLifecycle: true })
  closers.push(() => realtime.close())
  await realtime.listen({ host: '127.0.0.1', port: 0 })
  const rtAddress = realtime.server.address()
  const realtimeHttp = `http://127.0.0.1:${typeof rtAddress === 'object' && rtAddress ? rtAddress.port : 0}`
  let realtimeUrl = realtimeHttp.replace(/^http/, 'ws')
  let proxy: CuttableProxy | undefined
  if (opts.realtimeProxy) {
    proxy = await cuttableProxy({ host: '127.0.0.1', port: Number(new URL(realtimeHttp).port) })
    closers.push(() => proxy!.close())
    realtimeUrl = proxy.url
  }

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const livekit = opts.livekit ? await startLivekit(t, { webhookUrl: `${base}/api/v1/call/webhook` }) : undefined
  const roomApi = await buildRoomApi(readRoomApiConfig({
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    DEV_SIGN_IN: 'true',
    PG_SCHEMA: schema,
    KAFKA_TOPIC: topic,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_GROUP_ID: uniqueName('room_api_web_group'),
    // room-api consumes the topic: realtime's player.ended closes a room whose film ended.
    KAFKA_CONSUME: 'true',
    OUTBOX_POLL_MS: '100',
    TICKET_SECRET,
    PUBLIC_BASE_URL: base,
    WEB_ROOM_URL: `${base}/rooms/{roomId}?code={code}`,
    WEB_DIST_DIR: WEB_DIST,
    WEB_REALTIME_URL: realtimeUrl,
    ...(livekit ? { LIVEKIT_URL: livekit.url, LIVEKIT_PUBLIC_URL: livekit.wsUrl, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret } : {}),
    ...opts.roomApi
  }))
  closers.push(async () => {
    await roomApi.close()
    const client = new pg.Client({ connectionString: stack.databaseUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })
  await roomApi.listen({ host: '127.0.0.1', port })
  return { base, realtime: realtimeUrl, realtimeHttp, topic, ...(livekit ? { livekit } : {}), ...(proxy ? { proxy } : {}) }
}
