import { DEV_TICKET_SECRET, TOPICS } from '@watch-together/protocol'
import { baseConfigShape, boolString, hostPortList, intString, loadConfig, port, trustProxy } from '@watch-together/service-kit'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

/** Dev-only secrets: fine on a laptop, refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789'
export const DEV_MEDIA_URL_SECRET = 'dev-only-media-url-secret-change-me-0123'
export const DEV_MEDIA_ADMIN_TOKEN = 'dev-only-media-admin-token'
export { DEV_TICKET_SECRET }
/** The local stack's LiveKit key pair (infra/local/stack); refused in production. */
export const DEV_LIVEKIT_API_KEY = 'watch-together-dev'
export const DEV_LIVEKIT_API_SECRET = 'dev-only-livekit-secret-change-me-0123456789'

const secret = (fallback: string) => z.string().min(32, 'use at least 32 characters').default(fallback)
const optionalBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional()
/** An optional value where an empty variable (`TELEGRAM_BOT_TOKEN=`) means unset, as operators expect. */
const blankIsUnset = (schema: z.ZodString) => z.string().optional()
  .transform((v) => v?.trim() || undefined).pipe(schema.optional())

export const ConfigSchema = z.object({
  ...baseConfigShape,
  PORT: port(3001),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .default('postgres://watch:watch@127.0.0.1:5432/watch_together'),
  /** Schema holding room-api's tables (search_path); tests use one per file. */
  PG_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('public'),
  /** Upper bound on pooled PostgreSQL connections per process. */
  PG_POOL_MAX: intString(1, 500).default(20),
  /** Apply pending migrations at start (under an advisory lock, so replicas may start together). */
  MIGRATE_ON_START: boolString(true),
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_TOPIC: z.string().min(1).default(TOPICS.events),
  KAFKA_TOPIC_PARTITIONS: intString(1, 1000).default(12),
  /** Consumer group for the events room-api reacts to (room.emptied, player.ended, room.archived). */
  KAFKA_GROUP_ID: z.string().min(1).default('room-api'),
  KAFKA_CONSUME: boolString(true),
  /** Where records the consumer cannot parse go, with the reason in a header. */
  KAFKA_DLQ_TOPIC: z.string().min(1).default(TOPICS.deadLetter),

  /** HS256 secret shared with the Auth service (used unless JWT_JWKS_URL is set). */
  JWT_SECRET: secret(DEV_JWT_SECRET),
  /** RS256: the Auth service's JWKS URL; when set, tokens are verified against it instead. */
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** The claim holding the display name (`sub` holds the user id). */
  JWT_NAME_CLAIM: z.string().min(1).default('name'),
  /** POST /api/v1/auth/dev-sign-in. Default: on when NODE_ENV=development, off otherwise; refused in production. */
  DEV_SIGN_IN: optionalBool,
  DEV_TOKEN_TTL_SECONDS: intString(60, 30 * 86_400).default(86_400),

  /**
   * Accounts of our own: sign-up, sign-in, sessions (README "Accounts"). Default: on, unless
   * JWT_JWKS_URL is set (the external Auth service then owns sign-in; ours mint HS256 tokens).
   */
  ACCOUNTS: optionalBool,
  /** Lifetime of the access tokens sessions mint (bearer JWTs; not revocable before they expire). */
  ACCESS_TOKEN_TTL_SECONDS: intString(60, 86_400).default(900),
  /** A refresh token unused for this long expires; each use rotates it. */
  REFRESH_TOKEN_TTL_SECONDS: intString(300, 365 * 86_400).default(30 * 86_400),
  /** Session cookies carry `Secure`. Default: on in production (where it cannot be turned off). */
  COOKIE_SECURE: optionalBool,
  /** argon2id cost (OWASP's minimum: 19 MiB, 2 passes, 1 lane). */
  PASSWORD_HASH_MEMORY_KIB: intString(1024, 1_048_576).default(19_456),
  PASSWORD_HASH_TIME_COST: intString(1, 20).default(2),
  /** Failed sign-ins per email (known or not) and per client address within the window before a lock. */
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: intString(1, 1000).default(5),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: intString(1, 100_000).default(50),
  SIGN_IN_FAILURE_WINDOW_MS: intString(1000, 86_400_000).default(900_000),
  SIGN_IN_LOCK_MS: intString(1000, 86_400_000).default(900_000),
  /** Sign-ups and Telegram sign-ins per client address per RATE_LIMIT_WINDOW_MS. */
  RATE_LIMIT_SIGN_UP_MAX: intString(1, 1_000_000).default(10),
  /** Sign in with Telegram (Login Widget): the bot's token and its name; off while unset. */
  TELEGRAM_BOT_TOKEN: blankIsUnset(z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected the token @BotFather gave (123456:ABC…)')),
  TELEGRAM_BOT_NAME: blankIsUnset(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "expected the bot's username, without @")),
  /** How old a Telegram login may be (its auth_date). */
  TELEGRAM_AUTH_MAX_AGE_SECONDS: intString(60, 7 * 86_400).default(86_400),
  /** Largest avatar upload. */
  AVATAR_MAX_BYTES: intString(1024, 5_242_880).default(524_288),
  /** How often expired refresh tokens, sign-in locks and Telegram replay marks are deleted. */
  AUTH_SWEEP_MS: intString(1000, 86_400_000).default(3_600_000),

  /** Secret for realtime tickets, shared with the realtime service. */
  TICKET_SECRET: secret(DEV_TICKET_SECRET),
  TICKET_TTL_SECONDS: intString(5, 3600).default(60),

  /** LiveKit's server API (RoomService) as room-api reaches it. */
  LIVEKIT_URL: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL').default('http://127.0.0.1:7880'),
  /** LiveKit's signaling URL as the browser reaches it, handed out with every call token. */
  LIVEKIT_PUBLIC_URL: z.string().regex(/^wss?:\/\//, 'expected a ws:// or wss:// URL').default('ws://127.0.0.1:7880'),
  /** The key pair LiveKit trusts: signs call tokens and server API calls, verifies LiveKit's webhooks. */
  LIVEKIT_API_KEY: z.string().min(1).default(DEV_LIVEKIT_API_KEY),
  LIVEKIT_API_SECRET: secret(DEV_LIVEKIT_API_SECRET),
  /** Lifetime of a call token (only needed to connect: LiveKit refreshes a connected participant's). */
  CALL_TOKEN_TTL_SECONDS: intString(30, 86_400).default(300),

  /** Base of invite links: `${PUBLIC_BASE_URL}/r/<code>`. */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3001').transform((v) => v.replace(/\/+$/, '')),
  /** The web client's room page; `{roomId}` and `{code}` are substituted. */
  WEB_ROOM_URL: z.url().default('http://127.0.0.1:3001/rooms/{roomId}?code={code}'),
  /** The built web client (packages/web/dist) served at `/`; empty: not served. */
  WEB_DIST_DIR: z.string().default(fileURLToPath(new URL('../../../packages/web/dist', import.meta.url))),
  /** The realtime service as the browser reaches it, handed to the page in `/config.json`. */
  WEB_REALTIME_URL: z.string().regex(/^wss?:\/\//, 'expected a ws:// or wss:// URL').default('ws://127.0.0.1:3002'),

  /** The media library (docs/media.md). Operators' originals: `pnpm media add` takes files and folders under it. */
  MEDIA_LIBRARY_ROOT: z.string().min(1).default(fileURLToPath(new URL('../../../.stack/library', import.meta.url))),
  /** Packaged items (HLS, subtitles, images): `items/<id>/<version>/`. Plan about 1.5× the originals' size. */
  MEDIA_DATA_DIR: z.string().min(1).default(fileURLToPath(new URL('../../../.stack/media', import.meta.url))),
  /** Larger files are refused (MEDIA_TOO_LARGE). Default 20 GiB. */
  MEDIA_MAX_BYTES: intString(1, Number.MAX_SAFE_INTEGER).default(20 * 1024 ** 3),
  /** Signs media URLs and the viewer cookie. */
  MEDIA_URL_SECRET: secret(DEV_MEDIA_URL_SECRET),
  /**
   * How long a signed media URL works. The web player asks for a new one a third of this (at most
   * five minutes) before it runs out, so a film longer than this plays on; a few seconds is allowed
   * for tests of exactly that.
   */
  MEDIA_URL_TTL_SECONDS: intString(5, 7 * 86_400).default(6 * 3600),
  /** Bearer token of the admin media API (/api/v1/admin/media); unset: the API answers 404. Dev default in development. */
  MEDIA_ADMIN_TOKEN: blankIsUnset(z.string().min(24, 'use at least 24 characters')),
  /** Run ingest jobs (ffmpeg) in this process; off on replicas that should only serve. */
  MEDIA_INGEST: boolString(true),
  /** A running ingest job whose heartbeat (every 5 s) is older than this was killed: it is restarted. */
  MEDIA_JOB_STALE_MS: intString(100, 86_400_000).default(30_000),
  /** x264 preset for packaging (slower = smaller files, more CPU). */
  MEDIA_X264_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']).default('veryfast'),

  /** Whose X-Forwarded-For to believe for the client address (the per-IP sign-in limit and logs). */
  TRUST_PROXY: trustProxy,
  RATE_LIMIT_WINDOW_MS: intString(1000, 3_600_000).default(60_000),
  /** Room creations per user per window. */
  RATE_LIMIT_CREATE_MAX: intString(1, 1_000_000).default(10),
  /** Dev sign-ins per client IP per window. */
  RATE_LIMIT_SIGN_IN_MAX: intString(1, 1_000_000).default(20),

  OUTBOX_POLL_MS: intString(10, 60_000).default(500),
  OUTBOX_BATCH_SIZE: intString(1, 5000).default(500),
  /** How long a room may stay empty before it is closed. */
  EMPTY_ROOM_GRACE_MS: intString(0, 7 * 86_400_000).default(600_000),
  EMPTY_ROOM_SWEEP_MS: intString(50, 3_600_000).default(30_000),
  /** A host with no connection for this long hands the role to the longest-present online member. */
  HOST_GRACE_MS: intString(0, 86_400_000).default(30_000),
  HOST_SWEEP_MS: intString(50, 3_600_000).default(1000)
}).transform((c) => ({
  ...c,
  DEV_SIGN_IN: c.DEV_SIGN_IN ?? c.NODE_ENV === 'development',
  ACCOUNTS: c.ACCOUNTS ?? !c.JWT_JWKS_URL,
  COOKIE_SECURE: c.COOKIE_SECURE ?? c.NODE_ENV === 'production',
  MEDIA_ADMIN_TOKEN: c.MEDIA_ADMIN_TOKEN ?? (c.NODE_ENV === 'development' ? DEV_MEDIA_ADMIN_TOKEN : undefined)
}))
  .superRefine((c, ctx) => {
    if (c.DEV_SIGN_IN && c.JWT_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['DEV_SIGN_IN'], message: 'dev sign-in mints HS256 tokens; it cannot be on with JWT_JWKS_URL' })
    }
    if (c.ACCOUNTS && c.JWT_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['ACCOUNTS'], message: 'accounts mint HS256 tokens; with JWT_JWKS_URL the Auth service owns sign-in' })
    }
    if (Boolean(c.TELEGRAM_BOT_TOKEN) !== Boolean(c.TELEGRAM_BOT_NAME)) {
      ctx.addIssue({ code: 'custom', path: [c.TELEGRAM_BOT_TOKEN ? 'TELEGRAM_BOT_NAME' : 'TELEGRAM_BOT_TOKEN'], message: 'set both TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_NAME, or neither' })
    }
    if (c.TELEGRAM_BOT_TOKEN && !c.ACCOUNTS) {
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_BOT_TOKEN'], message: 'Telegram sign-in opens sessions: it needs ACCOUNTS on' })
    }
    if (c.NODE_ENV !== 'production') return
    if (c.DEV_SIGN_IN) ctx.addIssue({ code: 'custom', path: ['DEV_SIGN_IN'], message: 'must be off in production' })
    if (!c.COOKIE_SECURE) ctx.addIssue({ code: 'custom', path: ['COOKIE_SECURE'], message: 'session cookies must be Secure in production' })
    if (!c.JWT_JWKS_URL && c.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'the dev default is refused in production' })
    }
    if (c.MEDIA_URL_SECRET === DEV_MEDIA_URL_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['MEDIA_URL_SECRET'], message: 'the dev default is refused in production' })
    }
    if (c.LIVEKIT_API_SECRET === DEV_LIVEKIT_API_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['LIVEKIT_API_SECRET'], message: 'the dev default is refused in production' })
    }
    if (c.TICKET_SECRET === DEV_TICKET_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TICKET_SECRET'], message: 'the dev default is refused in production' })
    }
  })
export type Config = z.infer<typeof ConfigSchema>

export function readConfig (env: Record<string, string | undefined>): Config {
  return loadConfig(ConfigSchema, env)
}
