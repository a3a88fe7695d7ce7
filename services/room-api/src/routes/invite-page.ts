import { InviteCode, RoomName } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'

export interface InvitePageOptions {
  pool: pg.Pool
  /** The web client's room page with `{roomId}` / `{code}` placeholders. */
  webRoomUrl: string
  inviteLink: (code: string) => string
  /** Makes relative poster URLs (the demo films' /media/…) absolute for link previews. */
  publicBaseUrl?: string
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
/** Escapes text for HTML bodies and double- or single-quoted attributes. */
export function escapeHtml (value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string)
}

interface InviteRow {
  id: string, status: string, name: string | null, invite_code: string, title: string, poster_url: string | null, description: string, host_name: string
}

export function webRoomUrl (template: string, roomId: string, code: string): string {
  return template.replaceAll('{roomId}', encodeURIComponent(roomId)).replaceAll('{code}', encodeURIComponent(code))
}

function page (status: number, title: string, body: string, meta: Record<string, string> = {}, redirect?: string) {
  const tags = Object.entries(meta).map(([key, value]) => {
    const attr = key.startsWith('og:') ? 'property' : 'name'
    return `<meta ${attr}="${escapeHtml(key)}" content="${escapeHtml(value)}">`
  })
  if (redirect) tags.push(`<meta http-equiv="refresh" content="0; url=${escapeHtml(redirect)}">`)
  const link = redirect ? `<p><a href="${escapeHtml(redirect)}">Open the room</a></p>` : ''
  return {
    status,
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
${tags.join('\n')}
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${link}</body></html>
`
  }
}

/**
 * GET /r/<code> or /r/<name>: the invite link (a code first; else an active room's name, case-insensitive). Link-preview crawlers (Telegram) read the OpenGraph and Twitter
 * tags; browsers follow the meta refresh to the web client's room page. Every value is escaped:
 * titles and host names are user-controlled.
 */
export async function invitePageRoutes (app: FastifyInstance, opts: InvitePageOptions) {
  app.get<{ Params: { code: string } }>('/r/:code', { schema: { hide: true } }, async (request, reply) => {
    const code = InviteCode.safeParse(request.params.code)
    const name = RoomName.safeParse(request.params.code)
    const send = (p: { status: number, html: string }) =>
      reply.code(p.status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(p.html)
    if (!code.success && !name.success) return send(page(404, 'Invite not found', 'This invite link is not valid.'))
    const { rows } = await opts.pool.query<InviteRow>(`
      SELECT r.id, r.status, r.name, r.invite_code, f.title, f.poster_url, f.description,
        COALESCE((SELECT m.name FROM room_members m WHERE m.room_id = r.id AND m.role = 'host'), r.owner_name) AS host_name
      FROM rooms r JOIN films f ON f.id = r.film_id
      WHERE r.invite_code = $1 OR (r.name = $2 AND r.status = 'active')
      ORDER BY (r.invite_code = $1) DESC LIMIT 1`, [code.success ? code.data : null, name.success ? name.data : null])
    const room = rows[0]
    if (!room) return send(page(404, 'Invite not found', 'This invite link is not valid.'))
    if (room.status !== 'active') return send(page(410, room.title, 'This watch party has ended.'))
    const invitation = `${room.host_name} invites you to watch ${room.title}${room.name ? ` in "${room.name}"` : ''}`
    // The web client joins by the room's code, whichever of code or name the link used.
    const target = webRoomUrl(opts.webRoomUrl, room.id, room.invite_code)
    const meta: Record<string, string> = {
      'og:type': 'video.movie',
      'og:title': room.title,
      'og:description': invitation,
      'og:url': opts.inviteLink(code.success && room.invite_code === code.data ? code.data : room.name ?? room.invite_code),
      'twitter:card': room.poster_url ? 'summary_large_image' : 'summary',
      'twitter:title': room.title,
      'twitter:description': invitation
    }
    if (room.poster_url) {
      const image = opts.publicBaseUrl ? new URL(room.poster_url, `${opts.publicBaseUrl}/`).href : room.poster_url
      meta['og:image'] = image
      meta['twitter:image'] = image
    }
    return send(page(200, room.title, invitation, meta, target))
  })
}
