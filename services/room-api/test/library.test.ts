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

  // Friends are mutual now (friends.test.ts has the rest): a PUT asks, the other's PUT accepts.
  const petr = await user('Petr', 'petr')
  await petr.call('GET', '/api/v1/me')
  const asked = await vasily.call('PUT', '/api/v1/me/friends/petr')
  t.same([asked.json().friends, asked.json().relationship], [[], 'request_sent'])
  await petr.call('PUT', `/api/v1/me/friends/${vasily.id}`)
  t.same((await vasily.call('GET', '/api/v1/me/friends')).json().friends.map((f: { userId: string }) => f.userId), ['petr'])
  const self = await vasily.call('PUT', `/api/v1/me/friends/${vasily.id}`)
  t.equal(self.statusCode, 400)
  t.equal(self.json().errors[0].code, 'ROOM_FRIEND_SELF')
  await vasily.call('DELETE', '/api/v1/me/friends/petr')
  t.same((await vasily.call('GET', '/api/v1/me/friends')).json().friends, [])
})

/** A seeded random graph of mutual friendships, checked against the obvious computation. */
t.test('matches: one query agrees with a straightforward computation', async (t) => {
  const { user } = await buildTestApp(t)
  const films = ['big-buck-bunny', 'cosmos-laundromat', 'elephants-dream', 'sintel', 'tears-of-steel']
  const titles: Record<string, string> = {
    'big-buck-bunny': 'Big Buck Bunny', 'cosmos-laundromat': 'Cosmos Laundromat', 'elephants-dream': 'Elephants Dream', sintel: 'Sintel', 'tears-of-steel': 'Tears of Steel'
  }
  let seed = 42
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
  const users: TestUser[] = []
  // Handle = id, so "by handle" and "by id" are one order.
  for (let i = 0; i < 12; i++) {
    const id = `u${String(i).padStart(2, '0')}`
    users.push(await user(`U${i}`, id))
    await users[i]!.call('PATCH', '/api/v1/me', { handle: id })
  }
  const lists = new Map<string, Set<string>>()
  const friendsOf = new Map<string, Set<string>>(users.map((u) => [u.id, new Set<string>()]))
  for (const u of users) {
    const list = new Set(films.filter(() => random() < 0.5))
    lists.set(u.id, list)
    for (const f of list) await u.call('PUT', `/api/v1/me/watchlist/${f}`)
  }
  for (const [i, u] of users.entries()) {
    for (const o of users.slice(i + 1)) {
      if (random() >= 0.4) continue
      await u.call('PUT', `/api/v1/me/friends/${o.id}`)
      await o.call('PUT', `/api/v1/me/friends/${u.id}`)
      friendsOf.get(u.id)?.add(o.id)
      friendsOf.get(o.id)?.add(u.id)
    }
  }
  // A pending request is not a friendship: it adds no matches.
  await users[0]!.call('PUT', `/api/v1/me/friends/${[...users].reverse().find((o) => o !== users[0] && !friendsOf.get(users[0]!.id)?.has(o.id))?.id}`)
  let seen = 0
  for (const u of users) {
    const expected = [...(lists.get(u.id) ?? [])]
      .map((film) => ({ film, friendIds: [...(friendsOf.get(u.id) ?? [])].filter((f) => lists.get(f)?.has(film)).sort() }))
      .filter((m) => m.friendIds.length > 0)
      .sort((a, b) => b.friendIds.length - a.friendIds.length || (titles[a.film] as string).localeCompare(titles[b.film] as string))
      .map((m) => ({ film: m.film, friendIds: m.friendIds, handles: m.friendIds, count: m.friendIds.length }))
    const res = await u.call('GET', '/api/v1/me/matches')
    t.equal(res.statusCode, 200)
    const got = res.json().matches.map((m: { film: { id: string }, friendIds: string[], friends: Array<{ handle: string }>, count: number }) =>
      ({ film: m.film.id, friendIds: m.friendIds, handles: m.friends.map((f) => f.handle), count: m.count }))
    t.same(got, expected, `matches of ${u.name}`)
    t.equal(res.json().total, expected.length)
    seen += got.length
  }
  t.ok(seen > 5, `the seeded graph has matches to check (${seen})`)
  const busiest = users.find((u) => (lists.get(u.id)?.size ?? 0) > 1 && friendsOf.get(u.id)?.size) as TestUser
  const one = (await busiest.call('GET', '/api/v1/me/matches?limit=1')).json()
  t.ok(one.matches.length <= 1 && one.total >= one.matches.length, '`limit` keeps the first films, `total` counts them all')
  t.equal((await busiest.call('GET', '/api/v1/me/matches?limit=500')).statusCode, 400)
})
