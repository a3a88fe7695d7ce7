// Music in the other containers an operator's library holds (the song in media.test.ts is an MP3):
// FLAC, Ogg Vorbis and M4A (AAC), each tagged with a cover, made here by Debian's ffmpeg and ingested
// through the admin API against real PostgreSQL: tags become the catalog's metadata, the cover the
// poster, and each packages as audio-only HLS.
import { join } from 'node:path'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { addAndWait, mediaEnv } from './helpers/media-admin.js'
import { makeTaggedAudio } from './helpers/media-fixtures.js'

t.setTimeout(600_000)

const { root, env } = mediaEnv(t)
const SONGS = [
  { format: 'flac', title: 'Copper Rain', artist: 'Lumen Trio', album: 'Lossless Nights', track: 4, year: 2016, genre: 'Jazz' },
  { format: 'ogg', title: 'Тихая гавань', artist: 'Северный ветер', album: 'Порт', track: 7, year: 2011, genre: 'Folk' },
  { format: 'm4a', title: 'Paper Lanterns', artist: 'Orchard Line', album: 'Harbor Songs', track: 2, year: 2022, genre: 'Rock' }
] as const

for (const song of SONGS) {
  t.test(`${song.format}: tags, cover art, audio-only HLS`, async (t) => {
    const { format, ...tags } = song
    const file = makeTaggedAudio(join(root, 'music', format), `${tags.track} ${tags.title}`, format, tags)
    const test = await buildTestApp(t, env)
    const job = await addAndWait(test.app, file)
    t.equal(job.status, 'done', JSON.stringify(job.error))
    const found = (await test.app.inject(`/api/v1/films?kind=track&q=${encodeURIComponent(tags.artist)}`)).json().films
    t.equal(found.length, 1, 'found by its artist')
    t.match(found[0], {
      kind: 'track', title: tags.title, artist: tags.artist, album: tags.album, trackNumber: tags.track, year: tags.year, genres: [tags.genre.toLowerCase()]
    }, 'the metadata is the tags')
    t.ok(found[0].posterUrl, 'a poster from the cover art')
    t.equal((await test.app.inject(found[0].posterUrl)).headers['content-type'], 'image/jpeg')
    const ann = await test.user('Ann')
    const playback = (await ann.call('GET', `/api/v1/films/${found[0].id}/playback`)).json().playback
    t.equal(playback.kind, 'track')
    t.match(playback.hlsUrl, /master\.m3u8$/, 'packaged as HLS')
    t.same(playback.subtitles, [])
    t.equal(playback.audioTracks.length, 1, 'one audio track')
  })
}
