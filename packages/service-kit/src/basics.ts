import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { AppError, errorBody, makeErrorHandler } from './errors.js'
import { createReadinessRegistry, type ReadinessRegistry } from './readiness.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Where resource plugins register their readiness checks. */
    readiness: ReadinessRegistry
    /** This app's Prometheus registry (one per app, so tests can build several apps in one process). */
    metrics: Registry
  }
}

export interface BasicsOptions {
  service: string
  sentryDsn?: string | undefined
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

  const report = await errorReporter(opts.sentryDsn, opts.service)
  app.setErrorHandler(makeErrorHandler(report))
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
async function errorReporter (dsn: string | undefined, service: string) {
  if (!dsn) return () => {}
  const Sentry = await import('@sentry/node')
  Sentry.init({ dsn, serverName: service, defaultIntegrations: false })
  return (err: Error, request: FastifyRequest) => {
    Sentry.captureException(err, { tags: { service, route: request.routeOptions.url ?? 'unmatched' } })
  }
}

export const basicsPlugin = fp(basics, { name: 'watch-together-basics', fastify: '5.x' })
export { AppError }
