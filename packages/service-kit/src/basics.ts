import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { AppError, errorBody, makeErrorHandler } from './errors.js'
import { createReadinessRegistry, type ReadinessRegistry } from './readiness.js'
import { currentTrace, flushTracing, startTracing, type TraceContext, traceFrom, withTrace } from './trace.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Where resource plugins register their readiness checks. */
    readiness: ReadinessRegistry
    /** This app's Prometheus registry (one per app, so tests can build several apps in one process). */
    metrics: Registry
    /**
     * Reports an unexpected failure outside an HTTP request (a websocket handler, a consumer) to
     * Sentry when it is configured (HTTP 5xx are reported by the error handler); a no-op otherwise.
     */
    reportError (err: Error, tags?: Record<string, string>): void
  }
}

export interface BasicsOptions {
  service: string
  sentryDsn?: string | undefined
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT): spans are exported there when set. */
  otlpEndpoint?: string | undefined
  /** Per-check limit for /readyz. */
  readinessTimeoutMs?: number
}

/**
 * The cross-cutting basics every service registers first: /healthz, /readyz, /metrics,
 * one error handler with stable codes, and optional Sentry reporting.
 */
async function basics (app: FastifyInstance, opts: BasicsOptions) {
  const registry = new Registry()
  registry.setDefaultLabels({ service: opts.service })
  collectDefaultMetrics({ register: registry })
  app.decorate('metrics', registry)
  app.decorate('readiness', createReadinessRegistry())

  // Each request runs in a trace: the caller's traceparent continued, or a new one (answered back).
  if (opts.otlpEndpoint) {
    startTracing(opts.service, opts.otlpEndpoint)
    app.addHook('onClose', async () => { await flushTracing() })
  }
  // done() runs inside the trace, so the rest of the request's lifecycle (hooks, handler) inherits it.
  const spans = new WeakMap<object, TraceContext>()
  app.addHook('onRequest', (request, reply, done) => {
    const trace = traceFrom(request.headers.traceparent as string | undefined, `${request.method} ${request.routeOptions.url ?? 'unmatched'}`)
    spans.set(request, trace)
    reply.header('traceparent', trace.traceparent)
    withTrace(trace, done)
  })
  app.addHook('onResponse', async (request) => { spans.get(request)?.end() })

  const report = await errorReporter(opts.sentryDsn, opts.service)
  app.decorate('reportError', (err: Error, tags: Record<string, string> = {}) => report(err, tags))
  app.setErrorHandler(makeErrorHandler((err, request) => report(err, { route: request.routeOptions.url ?? 'unmatched' })))
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody([{ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }]))
  })

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry]
  })
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    if (route === '/metrics') return
    httpDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000)
  })

  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok', service: opts.service }))

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const { ready, checks } = await app.readiness.run(opts.readinessTimeoutMs ?? 2000)
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', service: opts.service, checks })
  })

  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}

/** Loads Sentry only when a DSN is configured, so services without it pay nothing. */
async function errorReporter (dsn: string | undefined, service: string): Promise<(err: Error, tags: Record<string, string>) => void> {
  if (!dsn) return () => {}
  const Sentry = await import('@sentry/node')
  Sentry.init({ dsn, serverName: service, defaultIntegrations: false })
  return (err, tags) => {
    const trace = currentTrace()
    Sentry.captureException(err, { tags: { service, ...tags, ...(trace ? { trace_id: trace.traceId } : {}) } })
  }
}

export const basicsPlugin = fp(basics, { name: 'watch-together-basics', fastify: '5.x' })
export { AppError }
