// The media library end to end against real PostgreSQL and Debian's ffmpeg: ingest of real media
// made here (a film with two audio tracks and subtitles, a tagged song with cover art), refusals
// (corrupt, truncated, not media, unsupported codec, a path escape, over the size limit), the HLS
// playlists parsed, subtitles, signed URLs (expired, tampered, someone else's), the admin API.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { signGrant, signViewer } from '@watch-together/media'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { addAndWait, admin, mediaEnv, SECRET } from './helpers/media-admin.js'
import { makeFilm, makeSong } from './helpers/media-fixtures.js'

// Each file gets 10 minutes: ffmpeg on a shared, loaded 2-core machine can be slow.
t.setTimeout(600_000)

const { root, dataDir, env } = mediaEnv(t)
const film = makeFilm(join(root, 'films'), 'Fire.Wings.2021')
const song = makeSong(join(root, 'music'), '01 Blue Hour', { title: 'Blue Hour', artist: 'Nina Kvartet', album: 'Night Trams', track: 1, year: 2019 })

/** A GET with the viewer cookie of `cookieUser` (or none), as the browser's video element sends it. */
function fetchMedia (app: Awaited<ReturnType<typeof buildTestApp>>['app'], url: string, cookieUser: string | null, headers: Record<string, string> = {}) {
  return app.inject({ url, headers: { ...headers, ...(cookieUser ? { cookie: `wt_media=${signViewer(SECRET, cookieUser)}` } : {}) } })
}

function attributes (line: string): Record<string, string> {
  return Object.fromEntries([...line.matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]))
}

t.test('a film with two audio tracks and subtitles: catalog, HLS, subtitles, signed URLs', async (t) => {
  const test = await buildTestApp(t, env)
  const { app } = test
  const job = await addAndWait(app, film)
  t.equal(job.status, 'done', JSON.stringify(job.error))
  t.equal(job.progress, 1)
  const id = job.itemIds[0]!
  t.match(id, /^ognennye-kryla-|^item-|^[a-z0-9-]+$/)

  const details = (await app.inject('/api/v1/films?q=%D0%B4%D1%80%D0%B0%D0%BA%D0%BE%D0%BD')).json() // "дракон"
  t.same(details.films.map((f: { id: string }) => f.id), [id], '"дракон" finds the film whose Russian description says "Драконы"')
  const item = details.films[0]
  t.equal(item.kind, 'film')
  t.equal(item.year, 2021, 'the year from the file name')
  t.equal(item.durationSec, 8)
  t.same(item.languages.sort(), ['eng', 'rus'])
  t.same(item.subtitleLanguages.sort(), ['eng', 'ru'])
  t.same(item.genres, ['fantasy'])
  t.match(item.posterUrl, `/media/posters/${id}`)
  const poster = await app.inject(item.posterUrl)
  t.equal(poster.statusCode, 200)
  t.equal(poster.headers['content-type'], 'image/jpeg')
  t.same((await app.inject('/api/v1/films?language=rus&kind=film')).json().films.map((f: { id: string }) => f.id), [id], 'filter by language')
  t.same((await app.inject('/api/v1/films?genre=Fantasy')).json().films.map((f: { id: string }) => f.id).sort(), [id, 'sintel'].sort(), 'filter by genre (the demo Sintel is fantasy too)')

  const ann = await test.user('Ann')
  const playbackRes = await ann.call('GET', `/api/v1/films/${id}/playback`)
  t.equal(playbackRes.statusCode, 200)
  const cookie = playbackRes.cookies.find((c) => c.name === 'wt_media')
  t.ok(cookie?.httpOnly, 'the viewer cookie is httpOnly')
  t.equal(cookie?.path, '/media/')
  const playback = playbackRes.json().playback
  t.match(playback.hlsUrl, /^\/media\/v\/[^/]+\/[a-z0-9-]+\/[a-z0-9-]+\/master\.m3u8$/)
  t.same(playback.audioTracks.map((a: { language: string, label: string }) => [a.language, a.label]), [['eng', 'English'], ['rus', 'Русский']])
  t.same(playback.subtitles.map((s: { language: string }) => s.language), ['eng', 'ru'])
  t.equal((await app.inject(`/api/v1/films/${id}/playback`)).statusCode, 401, 'signed-in users only')

  // The master playlist: two renditions or more, the two audio tracks in one group.
  const master = await fetchMedia(app, playback.hlsUrl, ann.id)
  t.equal(master.statusCode, 200)
  t.match(master.headers['cache-control'], /^private, max-age=\d+, immutable$/)
  const lines = master.body.split('\n')
  const audio = lines.filter((l) => l.startsWith('#EXT-X-MEDIA:TYPE=AUDIO')).map(attributes)
  t.same(audio.map((a) => [a.LANGUAGE, a.NAME, a.DEFAULT]), [['eng', 'English', 'YES'], ['rus', 'Русский', 'NO']])
  const variants: Array<Record<string, string>> = lines.flatMap((l, i) => l.startsWith('#EXT-X-STREAM-INF') ? [{ ...attributes(l), uri: lines[i + 1]! }] : [])
  t.ok(variants.length >= 2, `an adaptive ladder (${variants.length} renditions)`)
  t.same(new Set(variants.map((v) => v.RESOLUTION)).size, variants.length, 'each rendition its own size')
  t.ok(variants.every((v) => v.AUDIO === audio[0]?.['GROUP-ID']), 'every rendition uses the audio group')

  // A media playlist: fMP4 (an init segment), ~2 s segments that add up to the film.
  const base = playback.hlsUrl.replace(/master\.m3u8$/, '')
  const media = (await fetchMedia(app, base + variants[0]!.uri!, ann.id)).body
  t.match(media, /#EXT-X-MAP:URI="init_0\.mp4"/)
  t.match(media, /#EXT-X-PLAYLIST-TYPE:VOD/)
  const durations = [...media.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]))
  t.ok(durations.length >= 3, `${durations.length} segments`)
  t.ok(Math.abs(durations.reduce((a, b) => a + b, 0) - 8) < 0.5, 'segments add up to the film')
  const segment = media.split('\n').find((l) => l.endsWith('.m4s'))!
  const dir = variants[0]!.uri!.replace(/index\.m3u8$/, '')
  const ranged = await fetchMedia(app, base + dir + segment, ann.id, { range: 'bytes=0-99' })
  t.equal(ranged.statusCode, 206, 'HTTP Range')
  t.equal(ranged.rawPayload.length, 100)
  t.match(ranged.headers['content-range'], /^bytes 0-99\/\d+$/)
  t.ok(ranged.headers.etag, 'an ETag')

  // Subtitles: embedded English and the Russian side-car, as WebVTT.
  const en = await fetchMedia(app, playback.subtitles[0].url, ann.id)
  t.match(en.body, /^WEBVTT/)
  t.match(en.body, /The dragon wakes/)
  t.match((await fetchMedia(app, playback.subtitles[1].url, ann.id)).body, /Дракон просыпается/)
  const thumbs = await fetchMedia(app, playback.thumbnailsUrl, ann.id)
  t.match(thumbs.body, /thumbnails\.jpg#xywh=0,0,160,90/)

  // Refusals: someone else's URL, no cookie, tampered, another item's, expired, a path trick.
  const petr = await test.user('Petr')
  t.equal((await fetchMedia(app, playback.hlsUrl, petr.id)).json().errors[0].code, 'MEDIA_URL_OTHER_USER', "another user's cookie")
  t.equal((await fetchMedia(app, playback.hlsUrl, null)).statusCode, 403, 'no viewer cookie')
  const token = playback.hlsUrl.split('/')[3] as string
  const tampered = playback.hlsUrl.replace(token, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))
  t.equal((await fetchMedia(app, tampered, ann.id)).json().errors[0].code, 'MEDIA_URL_INVALID', 'a changed signature')
  const longer = playback.hlsUrl.replace(`.${token.split('.')[1]}.`, `.${Number(token.split('.')[1]) + 3600}.`)
  t.equal((await fetchMedia(app, longer, ann.id)).json().errors[0].code, 'MEDIA_URL_INVALID', 'a later expiry written in')
  t.equal((await fetchMedia(app, playback.hlsUrl.replace(`/${id}/`, '/sintel/'), ann.id)).json().errors[0].code, 'MEDIA_URL_INVALID', 'another item')
  const expired = signGrant(SECRET, { userId: ann.id, itemId: id, expiresAt: Date.now() - 1000 })
  const expiredRes = await fetchMedia(app, playback.hlsUrl.replace(token, expired), ann.id)
  t.equal(expiredRes.statusCode, 403)
  t.equal(expiredRes.json().errors[0].code, 'MEDIA_URL_EXPIRED')
  t.equal((await fetchMedia(app, `${base}..%2F..%2Fmanifest.json`, ann.id)).statusCode, 404, 'no path tricks')
  t.equal((await fetchMedia(app, `${base}missing.m3u8`, ann.id)).statusCode, 404)

  // Adding the same file again replaces the item (same id), removing takes it out.
  const again = await addAndWait(app, film)
  t.same(again.itemIds, [id], 'the same input keeps its id')
  t.equal((await app.inject('/api/v1/films?q=Огненные')).json().total, 1, 'one item, not two')
  t.equal((await fetchMedia(app, playback.hlsUrl, ann.id)).statusCode, 404, 'the old version is gone')
  const removed = await app.inject({ method: 'DELETE', url: `/api/v1/admin/media/${id}`, headers: admin })
  t.equal(removed.statusCode, 200)
  t.equal((await app.inject('/api/v1/films?q=дракон')).json().total, 0, 'removed from the catalog')
  t.equal((await ann.call('GET', `/api/v1/films/${id}/playback`)).statusCode, 404)
  t.same(readdirSync(join(dataDir, 'items', id)), [], 'its files are deleted')
})

t.test('a song: tags, cover art, audio-only HLS; a listening room', async (t) => {
  const test = await buildTestApp(t, env)
  const job = await addAndWait(test.app, song)
  t.equal(job.status, 'done', JSON.stringify(job.error))
  const found = (await test.app.inject('/api/v1/films?kind=track&q=kvartet')).json().films
  t.equal(found.length, 1, 'found by artist')
  t.match(found[0], { kind: 'track', title: 'Blue Hour', artist: 'Nina Kvartet', album: 'Night Trams', trackNumber: 1, year: 2019, genres: ['jazz'] })
  t.ok(found[0].posterUrl, 'cover art from the tags')
  t.equal((await test.app.inject(found[0].posterUrl)).headers['content-type'], 'image/jpeg')
  const ann = await test.user('Ann')
  const playback = (await ann.call('GET', `/api/v1/films/${found[0].id}/playback`)).json().playback
  const master = (await fetchMedia(test.app, playback.hlsUrl, ann.id)).body
  t.match(master, /CODECS="mp4a\.40\.2"/)
  t.notMatch(master, /RESOLUTION=/, 'audio only')
  const room = await ann.call('POST', '/api/v1/rooms', { filmId: found[0].id })
  t.equal(room.statusCode, 201, 'a room plays a track like a film (a listening room)')
})
