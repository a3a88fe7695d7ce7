import { AppError } from '@watch-together/service-kit'

// Node socket errors and PostgreSQL's connection-exception (08), operator-intervention (57P)
// and insufficient-resources (53) classes: the database is unreachable, not the request wrong.
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'])
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/i

export function isDbUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (NODE_CODES.has(code)) return true
    if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53')) return true
  }
  if (err instanceof AggregateError) return err.errors.some(isDbUnavailable)
  return UNAVAILABLE_MESSAGES.test(err.message)
}

/** Maps an unreachable database to a 503 with a stable code; other errors pass unchanged. */
export function mapDbError (err: unknown): unknown {
  if (err instanceof AppError || !isDbUnavailable(err)) return err
  return new AppError('ROOM_DB_UNAVAILABLE', 503, 'the database is unavailable; try again shortly')
}

export function isUniqueViolation (err: unknown, constraint: string): boolean {
  const e = err as { code?: string, constraint?: string }
  return e?.code === '23505' && e.constraint === constraint
}
