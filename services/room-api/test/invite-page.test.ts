import t from 'tap'
import { escapeHtml } from '../src/routes/invite-page.js'
import { buildTestApp } from './helpers/app.js'

const meta = (html: string, key: string) => {
  const match = new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`).exec(html)
  return match?.[1]
}

t.test('the invite page carries OpenGraph / Twitter tags and sends the browser to the room', async (t) => {
  const { app, user } = await buildTestApp(t, { WEB_ROOM_URL: 'https://watch.example/rooms/{roomId}?code={code}', PUBLIC_BASE_URL: 'https://wt.example/' })
  // A hostile display name must come out escaped, never as markup.
  const host = await user('<script>alert("x")</script> & Co')
  const created = (await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json()
  t.equal(created.link, `https://wt.example/r/${created.room.inviteCode}`)
  const res = await app.inject(`/r/${created.room.inviteCode}`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  const html = res.body
  t.notOk(html.includes('<script>'), 'no markup from user data')
  t.equal(meta(html, 'og:title'), 'Sintel')
  t.equal(meta(html, 'og:description'), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co invites you to watch Sintel')
  t.equal(meta(html, 'og:image'), 'https://wt.example/media/sintel.jpg', 'the demo poster, made absolute for link previews')
  t.equal(meta(html, 'twitter:card'), 'summary_large_image')
  t.equal(meta(html, 'twitter:title'), 'Sintel')
  t.equal(meta(html, 'og:url'), created.link)
  t.equal(meta(html, 'og:site_name'), 'Watch Together')
  t.match(html, /<html lang="en">/)
  t.ok(html.includes('<a href="/">Back to the films</a>'), 'a way back')

  // The inviter's language travels with the link: the preview speaks it.
  const ru = (await app.inject(`/r/${created.room.inviteCode}?lang=ru`)).body
  t.equal(meta(ru, 'og:site_name'), 'Смотрим вместе')
  t.equal(meta(ru, 'og:locale'), 'ru_RU')
  t.equal(meta(ru, 'og:description'), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co приглашает вас посмотреть «Sintel»')
  t.equal(meta(ru, 'og:url'), `${created.link}?lang=ru`)
  t.match(ru, /<html lang="ru">/)
  t.equal(meta((await app.inject(`/r/${created.room.inviteCode}?lang=xx`)).body, 'og:site_name'), 'Watch Together', 'an unknown language is English')
  const target = `https://watch.example/rooms/${created.room.id}?code=${created.room.inviteCode}`
  t.ok(html.includes(`<meta http-equiv="refresh" content="0; url=${escapeHtml(target)}">`), 'meta refresh to the web room page')
  t.ok(html.includes(`href="${escapeHtml(target)}"`), 'and a plain link')

  await host.call('POST', `/api/v1/rooms/${created.room.id}/close`)
  const closed = await app.inject(`/r/${created.room.inviteCode}`)
  t.equal(closed.statusCode, 410)
  t.notOk(closed.body.includes('http-equiv="refresh"'), 'a closed room does not redirect')
  t.equal((await app.inject('/r/AAAAAAAAAAAA')).statusCode, 404)
  t.match((await app.inject('/r/AAAAAAAAAAAA?lang=ru')).body, /Приглашение не найдено/, 'refusals in the language too')
  t.equal((await app.inject('/r/%3Cb%3E')).statusCode, 404)
})

t.test('escapeHtml covers every character that can break out of text or attributes', async (t) => {
  t.equal(escapeHtml('<a href=\'x\' title="y">&</a>'), '&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;')
})
