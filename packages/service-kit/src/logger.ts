import type { FastifyServerOptions } from 'fastify'
import { traceMixin } from './trace.js'

/**
 * Log options for every service: JSON lines (pino), with credentials removed.
 * Tokens travel in Authorization headers, cookies, the CSRF header and websocket query strings, so all are scrubbed.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.refreshToken',
  '*.csrfToken',
  '*.ticket',
  '*.secret',
  'config.JWT_SECRET',
  'config.TICKET_SECRET',
  'config.ADMIN_TOKEN',
  'config.TELEGRAM_BOT_TOKEN'
]

const SECRET_QUERY = /([?&](?:ticket|token|access_token|refresh_token|csrf_token|key|password)=)[^&#]*/gi

/** Strips credentials from a URL before it is logged. */
export function scrubUrl (url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]')
}

export function loggerOptions (service: string, level: string): FastifyServerOptions['logger'] {
  return {
    level,
    base: { service },
    // Every line written inside a trace (a request, a websocket frame, an event's handling) carries its id.
    mixin: traceMixin,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      req (req: { method: string, url: string, ip?: string, id?: string }) {
        return { id: req.id, method: req.method, url: scrubUrl(req.url), ip: req.ip }
      }
    }
  }
}
