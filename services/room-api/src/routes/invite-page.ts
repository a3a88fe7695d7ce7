import { InviteCode, RoomName } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import { inviteTarget } from '../rooms/rooms-repository.js'

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

export function webRoomUrl (template: string, roomId: string, code: string): string {
  return template.replaceAll('{roomId}', encodeURIComponent(roomId)).replaceAll('{code}', encodeURIComponent(code))
}

/** The invite page's words: in the inviter's language (the link carries `?lang=`), English otherwise. */
const WORDS = {
  en: {
    site: 'Watch Together',
    locale: 'en_US',
    open: 'Open the room',
    back: 'Back to the films',
    notFound: 'Invite not found',
    notValid: 'This invite link is not valid. Check the link you were sent.',
    ended: 'This watch party has ended.',
    invites: (host: string, title: string, name: string | null) => `${host} invites you to watch ${title}${name ? ` in "${name}"` : ''}`
  },
  ru: {
    site: 'Смотрим вместе',
    locale: 'ru_RU',
    open: 'Открыть комнату',
    back: 'Назад к фильмам',
    notFound: 'Приглашение не найдено',
    notValid: 'Эта ссылка-приглашение неверна. Проверьте ссылку, которую вам прислали.',
    ended: 'Этот совместный просмотр окончен.',
    invites: (host: string, title: string, name: string | null) => `${host} приглашает вас посмотреть «${title}»${name ? ` в комнате «${name}»` : ''}`
  }
} as const
type Lang = keyof typeof WORDS
export function inviteLanguage (value: unknown): Lang { return value === 'ru' ? 'ru' : 'en' }

// A page of its own (no scripts): readable in either color scheme, with the way back to the films.
const STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:10vh auto;padding:1rem;line-height:1.5;color-scheme:light dark}' +
  'a.button{display:inline-block;padding:.5em 1em;border-radius:8px;background:#2f6fde;color:#fff;text-decoration:none;margin-right:.5em}'

function page (lang: Lang, status: number, title: string, body: string, meta: Record<string, string> = {}, redirect?: string) {
  const words = WORDS[lang]
  const all: Record<string, string> = { 'og:site_name': words.site, 'og:locale': words.locale, ...meta }
  const tags = Object.entries(all).map(([key, value]) => {
    const attr = key.startsWith('og:') ? 'property' : 'name'
    return `<meta ${attr}="${escapeHtml(key)}" content="${escapeHtml(value)}">`
  })
  if (redirect) tags.push(`<meta http-equiv="refresh" content="0; url=${escapeHtml(redirect)}">`)
  const link = redirect ? `<a class="button" href="${escapeHtml(redirect)}">${escapeHtml(words.open)}</a>` : ''
  return {
    status,
    html: `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · ${escapeHtml(words.site)}</title>
${tags.join('\n')}
<style>${STYLE}</style>
</head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p><p>${link}<a href="/">${escapeHtml(words.back)}</a></p></main></body></html>
`
  }
}

/**
 * GET /r/<code> or /r/<name>: the invite link (a code first; else an active room's name, case-insensitive). Link-preview crawlers (Telegram) read the OpenGraph and Twitter
 * tags; browsers follow the meta refresh to the web client's room page. Every value is escaped:
 * titles and host names are user-controlled.
 */
export async function invitePageRoutes (app: FastifyInstance, opts: InvitePageOptions) {
  app.get<{ Params: { code: string }, Querystring: { lang?: string } }>('/r/:code', { schema: { hide: true } }, async (request, reply) => {
    const lang = inviteLanguage(request.query.lang)
    const words = WORDS[lang]
    const code = InviteCode.safeParse(request.params.code)
    const name = RoomName.safeParse(request.params.code)
    const send = (p: { status: number, html: string }) =>
      reply.code(p.status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(p.html)
    if (!code.success && !name.success) return send(page(lang, 404, words.notFound, words.notValid))
    const room = await inviteTarget(opts.pool, code.success ? code.data : null, name.success ? name.data : null)
    if (!room) return send(page(lang, 404, words.notFound, words.notValid))
    if (room.status !== 'active') return send(page(lang, 410, room.title, words.ended))
    const invitation = words.invites(room.host_name, room.title, room.name)
    // The web client joins by the room's code, whichever of code or name the link used.
    const target = webRoomUrl(opts.webRoomUrl, room.id, room.invite_code)
    const meta: Record<string, string> = {
      'og:type': 'video.movie',
      'og:title': room.title,
      'og:description': invitation,
      'og:url': opts.inviteLink(code.success && room.invite_code === code.data ? code.data : room.name ?? room.invite_code) + (lang === 'en' ? '' : `?lang=${lang}`),
      'twitter:card': room.poster_url ? 'summary_large_image' : 'summary',
      'twitter:title': room.title,
      'twitter:description': invitation
    }
    if (room.poster_url) {
      const image = opts.publicBaseUrl ? new URL(room.poster_url, `${opts.publicBaseUrl}/`).href : room.poster_url
      meta['og:image'] = image
      meta['twitter:image'] = image
    }
    return send(page(lang, 200, room.title, invitation, meta, target))
  })
}
