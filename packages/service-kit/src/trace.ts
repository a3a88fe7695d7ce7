import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { ROOT_CONTEXT, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'

/**
 * W3C trace context (`traceparent: 00-<trace id>-<span id>-<flags>`), carried from a REST call or a
 * websocket frame through the outboxes and Kafka headers to every consumer, so one user action can
 * be followed to the archive. The current trace lives in an AsyncLocalStorage: the log mixin stamps
 * its id on every log line written inside it, and producers read it when they build an event.
 */
export interface TraceContext {
  traceId: string
  spanId: string
  /** The traceparent to send onward (this span as the parent). */
  traceparent: string
  /** Ends the span (exported when OpenTelemetry is on; a no-op otherwise). */
  end (err?: Error): void
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)
const store = new AsyncLocalStorage<TraceContext>()

let tracer: Tracer | undefined
let provider: TracerProvider | undefined

/**
 * Turns on OpenTelemetry export (off by default): every span (a request, a websocket frame, an
 * event's handling) is sent in batches to the OTLP/HTTP endpoint's /v1/traces. One per process.
 */
export function startTracing (service: string, endpoint: string) {
  if (provider) return
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }), scheduledDelayMillis: 1000 })]
  })
  tracer = provider.getTracer('watch-together')
}

/** Sends what is buffered (on shutdown, or in a test). */
export async function flushTracing () {
  await provider?.forceFlush()
}

function context (traceId: string, flags = '01'): TraceContext {
  const spanId = randomBytes(8).toString('hex')
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-${flags}`, end () {} }
}

/**
 * A new span of the trace in `traceparent` (an incoming header), or of a new trace when it is absent
 * or invalid. `name` names the span when OpenTelemetry is on (then its ids are the span's own).
 */
export function traceFrom (traceparent: string | undefined | null, name = 'operation', attributes: Record<string, string> = {}): TraceContext {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null
  const parent = m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN ? { traceId: m[1]!, spanId: m[2]!, flags: m[3]! } : null
  if (tracer) {
    const parentContext = parent
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parseInt(parent.flags, 16), isRemote: true })
      : ROOT_CONTEXT
    const span = tracer.startSpan(name, { attributes }, parentContext)
    const { traceId, spanId } = span.spanContext()
    return {
      traceId,
      spanId,
      traceparent: `00-${traceId}-${spanId}-01`,
      end (err?: Error) {
        if (err) { span.recordException(err); span.setStatus({ code: SpanStatusCode.ERROR, message: err.message }) }
        span.end()
      }
    }
  }
  return parent ? context(parent.traceId, parent.flags) : context(randomBytes(16).toString('hex'))
}

/** The trace the current code runs in, if any. */
export function currentTrace (): TraceContext | undefined {
  return store.getStore()
}

/** Runs `fn` inside `trace` (its log lines carry the trace id; events built inside carry its traceparent). */
export function withTrace<T> (trace: TraceContext, fn: () => T): T {
  return store.run(trace, fn)
}

/** Enters `trace` for the rest of the current asynchronous flow (a Fastify onRequest hook). */
export function enterTrace (trace: TraceContext): void {
  store.enterWith(trace)
}

/** pino mixin: the current trace id on every log line written inside a trace. */
export function traceMixin (): Record<string, string> {
  const trace = store.getStore()
  return trace ? { traceId: trace.traceId } : {}
}
