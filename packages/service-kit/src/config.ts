import { z } from 'zod'

/** Thrown when the environment does not satisfy a service's config schema; names every bad variable. */
export class ConfigError extends Error {
  readonly variables: string[]

  constructor (issues: readonly z.core.$ZodIssue[]) {
    // The variable is the first path element; the rest (e.g. a list index) goes into the message.
    const variable = (i: z.core.$ZodIssue) => String(i.path[0] ?? '(environment)')
    const detail = (i: z.core.$ZodIssue) => i.path.length > 1 ? ` (at ${i.path.slice(1).join('.')})` : ''
    const lines = issues.map((i) => `  ${variable(i)}: ${i.message}${detail(i)}`)
    super(`invalid configuration:\n${lines.join('\n')}`)
    this.name = 'ConfigError'
    this.variables = [...new Set(issues.map(variable))]
  }
}

/**
 * Parses the environment once, at start-up, with the service's schema.
 * Only a service's server entry passes `process.env`; tests pass plain objects.
 */
export function loadConfig<S extends z.ZodType> (schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env)
  if (!result.success) throw new ConfigError(result.error.issues)
  return result.data
}

// Environment values are strings; these helpers convert explicitly and say what they expected.

export const intString = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)
    .pipe(z.number().int().min(min).max(max))

/** A TCP port; 0 lets the OS pick a free one (tests that never call the port use it). */
export const port = (fallback: number) => intString(0, 65535).default(fallback)

export const boolString = (fallback: boolean) =>
  z.enum(['true', 'false', '1', '0']).default(fallback ? 'true' : 'false').transform((v) => v === 'true' || v === '1')

/** A comma-separated list of host:port pairs, e.g. KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9094. */
export const hostPortList = (fallback: string) =>
  z.string().default(fallback)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port')).min(1))

/**
 * TRUST_PROXY: which X-Forwarded-For hops to believe for the client address (rate limits, logs).
 * Off by default: a direct client could otherwise name any address and dodge per-IP limits.
 * `true` trusts every hop (only behind a proxy that overwrites the header); a comma list trusts
 * those proxy addresses / CIDRs (the client address is the last hop not in it). The result is
 * Fastify's `trustProxy` option.
 */
export const trustProxy = z.string().default('false').transform((v, ctx): boolean | string => {
  const value = v.trim()
  if (value === 'false' || value === '') return false
  if (value === 'true') return true
  const addresses = value.split(',').map((a) => a.trim())
  if (addresses.every((a) => /^[0-9a-fA-F.:]*[.:][0-9a-fA-F.:]*(\/\d{1,3})?$/.test(a))) return addresses.join(',')
  ctx.addIssue({ code: 'custom', message: 'expected false, true or a comma list of proxy addresses / CIDRs' })
  return z.NEVER
})

/** Settings every service reads. Each service extends this with its own. */
export const baseConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Optional: errors are reported to Sentry only when set. */
  SENTRY_DSN: z.url().optional(),
  /** Optional: OpenTelemetry spans are exported to this OTLP/HTTP endpoint (e.g. http://collector:4318) only when set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** How long graceful shutdown may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: intString(100, 600_000).default(10_000)
}
