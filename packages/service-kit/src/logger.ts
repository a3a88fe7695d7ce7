import type { FastifyServerOptions } from 'fastify'

/**
 * Log options for every service: JSON lines (pino), with credentials removed.
 * Tokens travel in Authorization headers and websocket query strings, so both are scrubbed.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.ticket',
  '*.secret',
  'config.JWT_SECRET',
  'config.TICKET_SECRET',
  'config.ADMIN_TOKEN'
]

const SECRET_QUERY = /([?&](?:ticket|token|access_token|key)=)[^&#]*/gi

/** Strips credentials from a URL before it is logged. */
export function scrubUrl (url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]')
}

export function loggerOptions (service: string, level: string): FastifyServerOptions['logger'] {
  return {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      req (req: { method: string, url: string, ip?: string, id?: string }) {
        return { id: req.id, method: req.method, url: scrubUrl(req.url), ip: req.ip }
      }
    }
  }
}
