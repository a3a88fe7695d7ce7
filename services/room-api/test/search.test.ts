// Catalog search against real PostgreSQL: English and Russian stemming, word prefixes, typo
// tolerance (pg_trgm), ranking, filters and paging. Items are written through the media
// repository (as ingest writes them), without ffmpeg.
import type { IngestedItem } from '@watch-together/media'
import t from 'tap'
import { searchCatalog } from '../src/media/catalog-search-repository.js'
import { MediaRepository } from '../src/media/media-repository.js'
import { buildTestApp } from './helpers/app.js'

function item (id: string, fields: Partial<IngestedItem['metadata']>): IngestedItem {
  return {
    metadata: {
      id,
      kind: 'film',
      title: id,
      originalTitle: null,
      description: '',
      year: null,
      durationSec: 60,
      genres: [],
      people: [],
      languages: [],
      subtitleLanguages: [],
      artist: null,
      album: null,
      trackNumber: null,
      ...fields
    },
    source: 'url',
    sourceKey: `https://example.test/${id}.m3u8`,
    fingerprint: null,
    mediaPath: null,
    manifest: null,
    remote: { url: `https://example.test/${id}.m3u8`, type: 'hls' }
  }
}

t.test('search in English and Russian, prefixes, typos, ranking, filters, paging', async (t) => {
  const { app } = await buildTestApp(t)
  const repo = new MediaRepository(app.pg)
  const { rows: [job] } = await app.pg.query<{ id: string }>("INSERT INTO media_jobs (id, input, status) VALUES (gen_random_uuid(), 'test', 'running') RETURNING id")
  const add = (i: IngestedItem) => repo.upsertItem(i, job!.id)
  await add(item('wings-of-fire', {
    title: 'Огненные крылья',
    originalTitle: 'Wings of Fire',
    year: 2021,
    genres: ['fantasy'],
    languages: ['rus', 'eng'],
    subtitleLanguages: ['eng'],
    description: 'Драконы возвращаются в долину, и только девочка может их остановить.',
    people: ['Анна Петрова']
  }))
  await add(item('dragon-tales', { title: 'Dragon Tales', year: 1999, genres: ['animation'], description: 'Two children visit a land of friendly creatures.', languages: ['eng'] }))
  await add(item('night-trams', { kind: 'track', title: 'Night Trams', artist: 'Nina Kvartet', album: 'Depot', trackNumber: 3, year: 2019, genres: ['jazz'] }))
  const ids = async (query: string) => (await app.inject(`/api/v1/films?${query}`)).json().films.map((f: { id: string }) => f.id)

  t.same(await ids(`q=${encodeURIComponent('дракон')}`), ['wings-of-fire'], '"дракон" finds the Russian "Драконы" (Russian stemming)')
  t.same(await ids(`q=${encodeURIComponent('драконами')}`), ['wings-of-fire'], 'another case form of the word')
  t.same(await ids(`q=${encodeURIComponent('огнен')}`), ['wings-of-fire'], 'a Russian prefix')
  t.same(await ids('q=sintl'), ['sintel'], '"sintl" finds Sintel (typo tolerance)')
  t.same(await ids('q=tears%20of%20stell'), ['tears-of-steel'], 'a typo in a longer title')
  t.same(await ids('q=2010'), ['sintel'], 'the year')
  t.same(await ids('q=colin'), ['sintel'], 'people')
  t.same(await ids('q=big%20bun'), ['big-buck-bunny'], 'word prefixes')
  t.same(await ids('q=wings'), ['wings-of-fire'], 'the original title')
  t.same(await ids('q=dragons'), ['dragon-tales', 'sintel'], 'English stemming ("dragons" → dragon); a title match ranks above a description match')
  t.same(await ids('q=kvartet'), ['night-trams'], 'a track by its artist')
  t.same(await ids(`q=${encodeURIComponent('анна')}`), ['wings-of-fire'], 'a Russian name')
  t.same(await ids('q=dragon&kind=track'), [], 'kind filter')
  t.same(await ids('kind=track'), ['night-trams'])
  t.same(await ids('genre=fantasy'), ['sintel', 'wings-of-fire'], 'genre filter')
  t.same(await ids('year=2021'), ['wings-of-fire'], 'year filter')
  t.same(await ids('language=rus'), ['wings-of-fire'], 'language filter (audio)')
  t.same((await ids('language=eng')).sort(), ['dragon-tales', 'wings-of-fire'], 'language filter (audio or subtitles)')
  const page = (await app.inject('/api/v1/films?q=dragon&limit=1&offset=1')).json()
  t.equal(page.total, 2, 'total counts every match')
  t.same(page.films.map((f: { id: string }) => f.id), ['sintel'], 'the second page')
  t.equal((await app.inject('/api/v1/films?q=dragon&limit=1&offset=5')).json().total, 2, 'past the end: no films, the total still right')
  for (const q of ['a:* | b', "'); DROP TABLE films; --", '!!!', 'a & | !b', '\\']) {
    const res = await app.inject(`/api/v1/films?q=${encodeURIComponent(q)}`)
    t.equal(res.statusCode, 200, `search text is data, never syntax: ${q}`)
  }
  t.equal((await app.inject('/api/v1/films?year=20')).json().errors[0].path, 'querystring.year')
  t.equal((await app.inject('/api/v1/films?kind=book')).statusCode, 400)
  t.equal((await app.inject('/api/v1/films?language=english')).statusCode, 400)
  t.equal((await app.inject('/api/v1/films')).json().total, 8, 'five demo films, two films and a track')
})

t.test('a search counts and ranks a bounded set: the total is capped, title matches are always candidates', async (t) => {
  const { app } = await buildTestApp(t)
  const repo = new MediaRepository(app.pg)
  const { rows: [job] } = await app.pg.query<{ id: string }>("INSERT INTO media_jobs (id, input, status) VALUES (gen_random_uuid(), 'test', 'running') RETURNING id")
  // Five descriptions mention the word before the one film named for it is added (so it comes last in the table).
  for (let i = 0; i < 5; i++) await repo.upsertItem(item(`lantern-${i}`, { title: `Harbor ${i}`, description: 'A lantern swings over the quay.' }), job!.id)
  await repo.upsertItem(item('the-lantern', { title: 'The Lantern', description: 'A keeper and his light.' }), job!.id)
  const search = (q: string, offset = 0) => searchCatalog(app.pg, { q }, 2, offset, 3)

  const first = await search('lantern')
  t.same({ total: first.total, totalCapped: first.totalCapped }, { total: 3, totalCapped: true }, 'more matches than the cap: "3+"')
  t.equal(first.films[0]?.id, 'the-lantern', 'the title match is a candidate and ranks first, though the cap was reached before it')
  const rest = [...(await search('lantern', 2)).films, ...(await search('lantern', 4)).films].map((f) => f.id)
  t.equal(new Set([...first.films.map((f) => f.id), ...rest]).size, first.films.length + rest.length, 'pages do not repeat a film')
  t.same(await search('lantern', 50), { films: [], total: 3, totalCapped: true }, 'past the candidates: nothing, the capped total')
  const exact = await searchCatalog(app.pg, { q: 'keeper' }, 20, 0, 3)
  t.same({ total: exact.total, totalCapped: exact.totalCapped, ids: exact.films.map((f) => f.id) }, { total: 1, totalCapped: false, ids: ['the-lantern'] }, 'under the cap: exact')
  const browse = await searchCatalog(app.pg, {}, 2, 0, 3)
  t.same({ total: browse.total, totalCapped: browse.totalCapped }, { total: 3, totalCapped: true }, 'browsing counts up to the cap too')
  const api = (await app.inject('/api/v1/films?q=lantern')).json()
  t.same({ total: api.total, totalCapped: api.totalCapped }, { total: 6, totalCapped: false }, 'the API says whether the total is capped (cap 1,000)')
})
