import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorItem, issuesToErrors } from '@watch-together/protocol'
import { ZodError } from 'zod'

/**
 * A domain error with a stable code (service-prefixed, e.g. ROOM_NOT_FOUND) and an HTTP status.
 * Client mistakes are 4xx; anything unexpected becomes a 500 whose details stay in the log.
 */
export class AppError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly errors: ErrorItem[]

  constructor (code: string, statusCode: number, message: string, errors?: ErrorItem[]) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.statusCode = statusCode
    this.errors = errors ?? [{ code, message }]
  }
}

export function errorBody (errors: ErrorItem[]) {
  return { success: false as const, errors }
}

type ErrorReporter = (err: Error, request: FastifyRequest) => void

/** The one error handler: stable codes for client mistakes, no internals in 5xx bodies. */
export function makeErrorHandler (report: ErrorReporter) {
  return function errorHandler (err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) { request.log.error({ err }, err.message); report(err, request) }
      return reply.code(err.statusCode).send(errorBody(err.errors))
    }
    if (err instanceof ZodError) {
      return reply.code(400).send(errorBody(issuesToErrors(err.issues)))
    }
    const fe = err as FastifyError
    if (fe.validation) {
      return reply.code(400).send(errorBody(fe.validation.map((v) => ({
        code: 'VALIDATION_FAILED',
        message: v.message ?? 'invalid value',
        path: (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.') || undefined
      }))))
    }
    const status = fe.statusCode && fe.statusCode >= 400 ? fe.statusCode : 500
    if (status < 500) {
      // Fastify's own client errors (bad JSON, body too large, wrong content type) keep their code.
      return reply.code(status).send(errorBody([{ code: fe.code ?? 'BAD_REQUEST', message: fe.message }]))
    }
    request.log.error({ err }, 'unhandled error')
    report(err, request)
    return reply.code(status).send(errorBody([{ code: 'INTERNAL', message: 'internal error' }]))
  }
}
