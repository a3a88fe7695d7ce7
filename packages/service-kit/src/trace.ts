import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'

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
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)
const store = new AsyncLocalStorage<TraceContext>()

function context (traceId: string, flags = '01'): TraceContext {
  const spanId = randomBytes(8).toString('hex')
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-${flags}` }
}

/** A new span of the trace in `traceparent` (an incoming header), or of a new trace when it is absent or invalid. */
export function traceFrom (traceparent: string | undefined | null): TraceContext {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null
  if (m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) return context(m[1]!, m[3])
  return context(randomBytes(16).toString('hex'))
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
