import t from 'tap'
import { buildTestApp, type TestUser } from './helpers/app.js'

t.test('catalog: list, search, details', async (t) => {
  const { app } = await buildTestApp(t)
  const list = await app.inject('/api/v1/films')
  t.equal(list.statusCode, 200)
  t.equal(list.json().total, 5, 'the demo films are seeded by a migration')
  t.same(list.json().films.map((f: { title: string }) => f.title), ['Big Buck Bunny', 'Cosmos Laundromat', 'Elephants Dream', 'Sintel', 'Tears of Steel'])
  const page = (await app.inject('/api/v1/films?limit=2&offset=2')).json()
  t.same(page.films.map((f: { id: string }) => f.id), ['elephants-dream', 'sintel'])
  t.equal(page.total, 5)
  const search = (await app.inject('/api/v1/films?q=big%20bun')).json()
  t.same(search.films.map((f: { id: string }) => f.id), ['big-buck-bunny'], 'word prefixes')
  t.equal(search.total, 1)
  t.same((await app.inject('/api/v1/films?q=%25%25')).json().films, [], 'punctuation-only search finds nothing, safely')
  const bad = await app.inject('/api/v1/films?limit=1000')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, 'querystring.limit')
  t.equal((await app.inject('/api/v1/films?limit=abc')).statusCode, 400)
  const film = await app.inject('/api/v1/films/sintel')
  t.equal(film.json().film.durationSec, 60, 'the generated demo film')
  t.equal(film.json().film.streamUrl, '/media/sintel.webm')
  t.equal((await app.inject('/api/v1/films/nope')).statusCode, 404)
  t.equal((await app.inject('/api/v1/films/NOPE')).statusCode, 400)
})

t.test('watchlist and friends', async (t) => {
  const { user } = await buildTestApp(t)
  const vasily = await user('Vasily')
  const added = await vasily.call('PUT', '/api/v1/me/watchlist/sintel')
  t.equal(added.statusCode, 200)
  await vasily.call('PUT', '/api/v1/me/watchlist/sintel')
  await vasily.call('PUT', '/api/v1/me/watchlist/tears-of-steel')
  const list = (await vasily.call('GET', '/api/v1/me/watchlist')).json().items
  t.same(list.map((i: { film: { id: string } }) => i.film.id).sort(), ['sintel', 'tears-of-steel'], 'adding twice is idempotent')
  t.equal((await vasily.call('PUT', '/api/v1/me/watchlist/no-such-film')).statusCode, 404)
  t.same((await vasily.call('DELETE', '/api/v1/me/watchlist/sintel')).json(), { success: true, errors: [] })
  t.equal((await vasily.call('GET', '/api/v1/me/watchlist')).json().items.length, 1)

  const friends = await vasily.call('PUT', '/api/v1/me/friends/petr')
  t.same(friends.json().friends.map((f: { userId: string }) => f.userId), ['petr'])
  await vasily.call('PUT', '/api/v1/me/friends/petr')
  t.equal((await vasily.call('GET', '/api/v1/me/friends')).json().friends.length, 1)
  const self = await vasily.call('PUT', `/api/v1/me/friends/${vasily.id}`)
  t.equal(self.statusCode, 400)
  t.equal(self.json().errors[0].code, 'ROOM_FRIEND_SELF')
  await vasily.call('DELETE', '/api/v1/me/friends/petr')
  t.same((await vasily.call('GET', '/api/v1/me/friends')).json().friends, [])
})

/** A seeded random graph, checked against the obvious computation. */
t.test('matches: one query agrees with a straightforward computation', async (t) => {
  const { user } = await buildTestApp(t)
  const films = ['big-buck-bunny', 'cosmos-laundromat', 'elephants-dream', 'sintel', 'tears-of-steel']
  const titles: Record<string, string> = {
    'big-buck-bunny': 'Big Buck Bunny', 'cosmos-laundromat': 'Cosmos Laundromat', 'elephants-dream': 'Elephants Dream', sintel: 'Sintel', 'tears-of-steel': 'Tears of Steel'
  }
  let seed = 42
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
  const users: TestUser[] = []
  for (let i = 0; i < 12; i++) users.push(await user(`U${i}`, `u${String(i).padStart(2, '0')}`))
  const lists = new Map<string, Set<string>>()
  const friendsOf = new Map<string, Set<string>>()
  for (const u of users) {
    const list = new Set(films.filter(() => random() < 0.5))
    lists.set(u.id, list)
    for (const f of list) await u.call('PUT', `/api/v1/me/watchlist/${f}`)
    const friends = new Set(users.filter((o) => o !== u && random() < 0.4).map((o) => o.id))
    friendsOf.set(u.id, friends)
    for (const f of friends) await u.call('PUT', `/api/v1/me/friends/${f}`)
  }
  let seen = 0
  for (const u of users) {
    const expected = [...(lists.get(u.id) ?? [])]
      .map((film) => ({ film, friendIds: [...(friendsOf.get(u.id) ?? [])].filter((f) => lists.get(f)?.has(film)).sort() }))
      .filter((m) => m.friendIds.length > 0)
      .sort((a, b) => b.friendIds.length - a.friendIds.length || (titles[a.film] as string).localeCompare(titles[b.film] as string))
      .map((m) => ({ film: m.film, friendIds: m.friendIds, count: m.friendIds.length }))
    const res = await u.call('GET', '/api/v1/me/matches')
    t.equal(res.statusCode, 200)
    const got = res.json().matches.map((m: { film: { id: string }, friendIds: string[], count: number }) => ({ film: m.film.id, friendIds: m.friendIds, count: m.count }))
    t.same(got, expected, `matches of ${u.name}`)
    seen += got.length
  }
  t.ok(seen > 5, `the seeded graph has matches to check (${seen})`)
})
