import { hostname } from 'node:os'
import { DEV_ADMIN_TOKEN, DEV_TICKET_SECRET, TOPICS } from '@watch-together/protocol'
import { baseConfigShape, hostPortList, intString, loadConfig, port, trustProxy } from '@watch-together/service-kit'
import { z } from 'zod'

const list = z.string().default('').transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))

export const ConfigSchema = z.object({
  ...baseConfigShape,
  PORT: port(3002),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL').default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and channel, so several deployments (or test files) share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[\w:.-]+$/).default('rt'),
  /**
   * Redis Cluster: comma-separated `host:port` of some of its nodes (the client discovers the rest).
   * Empty: one Redis at REDIS_URL. Both run the same code; only the client differs (plugins/redis.ts).
   */
  REDIS_CLUSTER_NODES: list.pipe(z.array(z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port'))),
  /**
   * After each room event, wait until this many replicas hold it (Redis WAIT), so a primary killed
   * right after a write does not take the event with it. 0 (default) does not wait; 1 is the advice
   * for a Redis Cluster with replicas (see README, cluster mode).
   */
  REDIS_WAIT_REPLICAS: intString(0, 5).default(0),
  REDIS_WAIT_TIMEOUT_MS: intString(1, 10_000).default(100),
  /**
   * How long a websocket command waits out a Redis that is briefly unavailable (a cluster failover
   * takes the node timeout plus an election, a few seconds) before the client gets RT_INTERNAL.
   */
  REDIS_RETRY_MS: intString(0, 60_000).default(10_000),
  /**
   * How often every room subscription of this instance is proven with a probe through Redis (and
   * after each subscriber reconnect); a silent one is made again (rooms/subscription-check.ts). 0: only after reconnects.
   */
  SUBSCRIPTION_CHECK_MS: intString(0, 3_600_000).default(30_000),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_TOPIC: z.string().min(1).default(TOPICS.events),
  /** Where lifecycle events that fail their schema go (the shared dead-letter format). */
  KAFKA_DLQ_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  /** Consumer group reading room-api's lifecycle events (one group for all instances). */
  KAFKA_GROUP_ID: z.string().min(1).default('realtime'),
  /** HS256 secret shared with room-api, which signs the tickets (dev default refused in production). */
  TICKET_SECRET: z.string().min(16, 'at least 16 characters').default(DEV_TICKET_SECRET),
  /**
   * Bearer token for the admin endpoints (announcements, /stats); unset disables them. In development
   * it defaults to DEV_ADMIN_TOKEN (packages/protocol), which production refuses.
   */
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** Comma-separated browser origins allowed to connect; empty allows any (non-browser clients send none). */
  ALLOWED_ORIGINS: list,
  /** Whose X-Forwarded-For to believe for the client address in logs (off: the socket's address). */
  TRUST_PROXY: trustProxy,
  /** Names this process in logs and session events; defaults to host:pid. */
  INSTANCE_ID: z.string().min(1).default(`${hostname()}:${process.pid}`),
  /** Larger websocket frames close the socket with 1009 (message too big). */
  WS_MAX_FRAME_BYTES: intString(1024, 16 * 1024 * 1024).default(64 * 1024),
  /** Server ping interval; a peer that has not answered the previous ping is dropped. */
  WS_PING_INTERVAL_MS: intString(100, 600_000).default(30_000),
  CHAT_MAX_LENGTH: intString(1, 10_000).default(1000),
  /** Recent chat kept per room (and sent on join): the last N messages within 24 hours. */
  CHAT_HISTORY_SIZE: intString(1, 1000).default(50),
  /** Per-user chat limit: at most CHAT_RATE_MAX messages (and reactions) per CHAT_RATE_WINDOW_MS. */
  CHAT_RATE_MAX: intString(1, 10_000).default(10),
  CHAT_RATE_WINDOW_MS: intString(100, 3_600_000).default(10_000),
  /** Longest a start waits for buffering members before playing anyway; 0 never waits. */
  READY_WAIT_MS: intString(0, 60_000).default(8000),
  /**
   * A member's report that the room's film ended is accepted when the room's derived position is
   * at least the film's length minus this (devices drift a little from the room's timeline).
   */
  END_TOLERANCE_MS: intString(0, 60_000).default(3000),
  /**
   * When nobody reports the end, the server ends the film itself this long after the derived
   * position passed the film's length (a timer on the instance that stored the playing state,
   * and a check on every command and join).
   */
  END_FALLBACK_MS: intString(0, 3_600_000).default(5000),
  /** Instance heartbeat; an instance silent for 3 beats has its connections counted out by the others. */
  INSTANCE_HEARTBEAT_MS: intString(50, 600_000).default(10_000),
  /** Recent room events kept for resume; an older `since` gets a full snapshot instead. */
  ROOM_EVENTS_MAX: intString(10, 100_000).default(500),
  /** Live room state expires this long after its last change (Redis TTL). */
  ROOM_TTL_SECONDS: intString(60, 30 * 86_400).default(2 * 86_400),
  /** Bound of the Kafka backlog stream: events held while Kafka is unreachable. */
  OUTBOX_MAX_LEN: intString(1000, 100_000_000).default(1_000_000),
  OUTBOX_BATCH_SIZE: intString(1, 10_000).default(500),
  /**
   * The outbox's publisher leases: rooms are split into this many buckets (by Redis Cluster slot), each
   * drained by whichever instance holds its lease, so instances share publishing and a room keeps its order.
   */
  OUTBOX_BUCKETS: intString(1, 1024).default(8),
  /**
   * Check every frame the service builds against its schema in packages/protocol before sending it
   * (a mismatch is a bug: the handler fails with RT_INTERNAL and logs it). Default on outside production.
   */
  FRAME_CHECKS: z.enum(['true', 'false']).optional().transform((v) => v === undefined ? undefined : v === 'true'),
  /** How often room.counters are checked and pushed (only when they changed). */
  COUNTERS_INTERVAL_MS: intString(100, 60_000).default(1000)
}).transform((c) => ({
  ...c,
  ADMIN_TOKEN: c.ADMIN_TOKEN ?? (c.NODE_ENV === 'development' ? DEV_ADMIN_TOKEN : undefined),
  FRAME_CHECKS: c.FRAME_CHECKS ?? c.NODE_ENV !== 'production'
}))
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.TICKET_SECRET === DEV_TICKET_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TICKET_SECRET'], message: 'the dev default is refused in production' })
    }
    if (c.NODE_ENV === 'production' && c.ADMIN_TOKEN === DEV_ADMIN_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_TOKEN'], message: 'the dev default is refused in production' })
    }
  })
export type Config = z.infer<typeof ConfigSchema>

export function readConfig (env: Record<string, string | undefined>): Config {
  return loadConfig(ConfigSchema, env)
}
