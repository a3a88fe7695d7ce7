// The player's media URL helpers without a browser: the seek-preview index (WebVTT of sprite
// tiles, as packages/media writes it) and the renewal of signed URLs before they expire.
import type { Playback } from '@watch-together/protocol'
import t from 'tap'
import { freshMediaUrls } from '../src/media/fresh-media-urls.js'
import { parseThumbnailIndex } from '../src/media/seek-thumbnails.js'

const INDEX = 'http://wt.test/media/v/TOKEN/film/v1/thumbnails.vtt'
const VTT = `WEBVTT

00:00:00.000 --> 00:00:05.000
thumbnails.jpg#xywh=0,0,160,90

00:00:05.000 --> 00:00:10.000
thumbnails.jpg#xywh=160,0,160,90

00:00:10.000 --> 00:00:12.500
thumbnails.jpg#xywh=0,90,160,90
`

t.test('the seek-preview index: the tile for a time, its URL beside the index', async (t) => {
  const thumbs = parseThumbnailIndex(VTT, INDEX)
  t.same(thumbs.at(0), { url: 'http://wt.test/media/v/TOKEN/film/v1/thumbnails.jpg', x: 0, y: 0, w: 160, h: 90 })
  t.same(thumbs.at(7.2), { url: 'http://wt.test/media/v/TOKEN/film/v1/thumbnails.jpg', x: 160, y: 0, w: 160, h: 90 }, 'the second interval')
  t.equal(thumbs.at(11)?.y, 90, 'the second row of the sprite')
  t.equal(thumbs.at(12.5)?.y, 90, 'the very end shows the last tile')
  t.equal(thumbs.at(-1), null, 'before the start: none')
  t.equal(parseThumbnailIndex('WEBVTT\n\nnot a cue\n\n00:00:01.000 --> x\nthumbnails.jpg#xywh=1,2\n', INDEX).at(1), null, 'malformed cues are skipped')
  t.equal(parseThumbnailIndex('WEBVTT\r\n\r\n01:00.000 --> 01:05.000\r\nsprite.jpg#xywh=1,2,3,4\r\n', INDEX).at(62)?.x, 1, 'short stamps, CRLF')
})

const playback = (token: string, expiresInSeconds: number): Playback => ({
  itemId: 'film',
  kind: 'film',
  hlsUrl: `/media/v/${token}/film/v1/master.m3u8`,
  fileUrl: null,
  posterUrl: null,
  thumbnailsUrl: `/media/v/${token}/film/v1/thumbnails.vtt`,
  subtitles: [],
  audioTracks: [],
  expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
  expiresInSeconds
})

t.test('signed media URLs are renewed before they expire; later requests carry the new token', async (t) => {
  Object.assign(globalThis, { location: new URL('http://wt.test/rooms/r1') })
  t.teardown(() => { Reflect.deleteProperty(globalThis, 'location') })
  let asked = 0
  const urls = freshMediaUrls(playback('OLD', 0), async () => { asked++; return playback('NEW', 3600) })
  t.teardown(urls.stop)
  let told = 0
  urls.onRefresh(() => { told++ })
  const segment = 'http://wt.test/media/v/OLD/film/v1/v0/seg-3.m4s'
  t.equal(urls.current(segment), segment, 'until renewed, the token it has')
  await urls.fresh()
  t.equal(urls.current(segment), 'http://wt.test/media/v/NEW/film/v1/v0/seg-3.m4s', 'a grant at its end is renewed before the request')
  t.equal(urls.current('/media/v/OLD/film/v1/subs/en.vtt'), 'http://wt.test/media/v/NEW/film/v1/subs/en.vtt', 'relative URLs too')
  t.same([asked, told], [1, 1], 'asked once, listeners told')
  await urls.fresh()
  t.equal(asked, 1, 'a fresh grant is not asked again')
  t.equal(urls.current('https://cdn.example/media/v/OLD/x.m4s'), 'https://cdn.example/media/v/OLD/x.m4s', 'another origin is left alone')
  t.equal(urls.current('http://wt.test/api/v1/films'), 'http://wt.test/api/v1/films', 'not a media URL: left alone')
})

t.test('a refused renewal keeps the old token; a remote item has none to renew', async (t) => {
  Object.assign(globalThis, { location: new URL('http://wt.test/rooms/r1') })
  t.teardown(() => { Reflect.deleteProperty(globalThis, 'location') })
  const offline = freshMediaUrls(playback('OLD', 0), async () => { throw new Error('offline') })
  t.teardown(offline.stop)
  t.equal(await offline.renew(), false, 'no new grant')
  t.equal(offline.current('/media/v/OLD/film/v1/master.m3u8'), 'http://wt.test/media/v/OLD/film/v1/master.m3u8')
  let asked = 0
  const remote = freshMediaUrls({ ...playback('X', 0), hlsUrl: 'https://cdn.example/film.m3u8', thumbnailsUrl: null }, async () => { asked++; return playback('Y', 60) })
  t.teardown(remote.stop)
  await remote.fresh()
  t.equal(asked, 0, 'nothing signed, nothing asked')
  t.equal(remote.current('https://cdn.example/seg.ts'), 'https://cdn.example/seg.ts')
})

t.test('a slow answer does not eat the lead: a grant\'s life counts from when it was asked for', async (t) => {
  Object.assign(globalThis, { location: new URL('http://wt.test/rooms/r1') })
  t.teardown(() => { Reflect.deleteProperty(globalThis, 'location') })
  // A 3 s grant is renewed a second before it runs out; its answer took 1.5 s to come. Counted from
  // the answer, the next renewal would come at 3.5 s after the ask, half a second after the server's expiry.
  const asks: number[] = []
  const urls = freshMediaUrls(playback('OLD', 0), async () => {
    asks.push(Date.now())
    if (asks.length === 1) await new Promise((resolve) => setTimeout(resolve, 1_500))
    return playback(`NEW${asks.length}`, 3)
  })
  t.teardown(urls.stop)
  t.equal(await urls.renew(), true, 'renewed')
  await new Promise((resolve) => setTimeout(resolve, asks[0]! + 2_300 - Date.now()))
  t.equal(asks.length, 2, 'renewed again 2 s after the first ask (not 2 s after its answer)')
})
