// Friends against real PostgreSQL (and Kafka for the events): requests, mutual friendship, the
// older PUT/DELETE /me/friends, blocking, people search, and the user-scoped events of every change.
import { partitionFor } from '@watch-together/kafka'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { buildTestApp, person, type TestUser } from './helpers/app.js'
import { collectTopic } from './helpers/topic.js'

const code = (res: { json: () => { errors: Array<{ code: string }> } }) => res.json().errors[0]?.code

const rel = (res: { json: () => { relationship: string } }) => res.json().relationship

t.test('requests: send, decline, cancel, accept; mutual friendship; stable codes', async (t) => {
  const test = await buildTestApp(t)
  const a = await person(test, 'Alla', 'alla')
  const b = await person(test, 'Boris', 'boris')
  const c = await person(test, 'Clara', 'clara')

  const sent = await a.call('POST', '/api/v1/me/friend-requests', { handle: '@Boris' })
  t.equal(sent.statusCode, 201)
  t.same(sent.json(), { success: true, errors: [], userId: b.id, relationship: 'request_sent' })
  t.equal(code(await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })), 'ROOM_FRIEND_REQUEST_EXISTS')
  t.equal(code(await a.call('POST', '/api/v1/me/friend-requests', { userId: a.id })), 'ROOM_FRIEND_SELF')
  t.equal(code(await a.call('POST', '/api/v1/me/friend-requests', { handle: 'alla' })), 'ROOM_FRIEND_SELF')
  const unknown = await a.call('POST', '/api/v1/me/friend-requests', { userId: 'nobody-at-all' })
  t.equal(unknown.statusCode, 404)
  t.equal(code(unknown), 'ROOM_USER_NOT_FOUND')
  t.equal(code(await a.call('POST', '/api/v1/me/friend-requests', { handle: 'nobody_here' })), 'ROOM_USER_NOT_FOUND')
  t.equal((await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id, handle: 'boris' })).statusCode, 400, 'one of userId or handle')

  const incoming = (await b.call('GET', '/api/v1/me/friend-requests')).json()
  t.same(incoming.incoming.map((r: { person: { handle: string } }) => r.person.handle), ['alla'])
  t.same(incoming.outgoing, [])
  t.same((await a.call('GET', '/api/v1/me/friend-requests')).json().outgoing.map((r: { person: { id: string } }) => r.person.id), [b.id])
  t.equal(rel(await a.call('GET', `/api/v1/people/${b.id}`).then((r) => ({ json: () => r.json().person }))), 'request_sent')
  t.equal(rel(await b.call('GET', '/api/v1/people/@alla').then((r) => ({ json: () => r.json().person }))), 'request_received')

  t.equal(rel(await b.call('POST', `/api/v1/me/friend-requests/${a.id}/decline`)), 'none')
  t.equal(code(await b.call('POST', `/api/v1/me/friend-requests/${a.id}/decline`)), 'ROOM_FRIEND_REQUEST_NOT_FOUND')
  t.equal(code(await b.call('POST', `/api/v1/me/friend-requests/${a.id}/accept`)), 'ROOM_FRIEND_REQUEST_NOT_FOUND')
  t.equal(code(await b.call('POST', '/api/v1/me/friend-requests/nobody-at-all/accept')), 'ROOM_USER_NOT_FOUND')

  await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })
  t.equal(rel(await a.call('DELETE', `/api/v1/me/friend-requests/${b.id}`)), 'none', 'withdrawn')
  t.equal(code(await a.call('DELETE', `/api/v1/me/friend-requests/${b.id}`)), 'ROOM_FRIEND_REQUEST_NOT_FOUND')

  await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })
  t.equal(rel(await b.call('POST', `/api/v1/me/friend-requests/${a.id}/accept`)), 'friend')
  const aFriends = (await a.call('GET', '/api/v1/me/friends')).json().friends
  t.same(aFriends.map((f: Record<string, unknown>) => [f.userId, f.id, f.handle, f.displayName, f.avatarUrl]),
    [[b.id, b.id, 'boris', 'Boris', `/api/v1/users/${b.id}/avatar?v=0`]])
  t.ok(aFriends[0].since)
  t.same((await b.call('GET', '/api/v1/me/friends')).json().friends.map((f: { id: string }) => f.id), [a.id], 'mutual')
  t.equal(code(await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })), 'ROOM_ALREADY_FRIENDS')

  // Asking someone who already asked you is accepting.
  await c.call('POST', '/api/v1/me/friend-requests', { userId: a.id })
  const crossed = await a.call('POST', '/api/v1/me/friend-requests', { userId: c.id })
  t.equal(rel(crossed), 'friend')
  t.same((await a.call('GET', '/api/v1/me/friend-requests')).json(), { success: true, errors: [], incoming: [], outgoing: [] })

  t.equal(rel(await a.call('DELETE', `/api/v1/me/friends/${b.id}`)), 'none')
  t.same((await b.call('GET', '/api/v1/me/friends')).json().friends.map((f: { id: string }) => f.id), [], 'gone for both')
  t.equal((await a.call('DELETE', `/api/v1/me/friends/${b.id}`)).statusCode, 200, 'idempotent')
  t.equal(code(await a.call('DELETE', '/api/v1/me/friends/nobody-at-all')), 'ROOM_USER_NOT_FOUND')
})

t.test('PUT /me/friends/:userId, as before issue 14: idempotent, now a request the other accepts', async (t) => {
  const test = await buildTestApp(t)
  const a = await person(test, 'Dina', 'dina')
  const b = await person(test, 'Emil', 'emil')
  const put = await a.call('PUT', `/api/v1/me/friends/${b.id}`)
  t.equal(put.statusCode, 200)
  t.same(put.json(), { success: true, errors: [], friends: [], relationship: 'request_sent' })
  t.equal(rel(await a.call('PUT', `/api/v1/me/friends/${b.id}`)), 'request_sent', 'again: the same answer, no error')
  const back = await b.call('PUT', `/api/v1/me/friends/${a.id}`)
  t.equal(rel(back), 'friend')
  t.same(back.json().friends.map((f: { userId: string }) => f.userId), [a.id])
  t.equal(rel(await a.call('PUT', `/api/v1/me/friends/${b.id}`)), 'friend')
  t.equal(code(await a.call('PUT', '/api/v1/me/friends/petr')), 'ROOM_USER_NOT_FOUND', 'a made-up id is no longer accepted')
  t.equal(code(await a.call('PUT', `/api/v1/me/friends/${a.id}`)), 'ROOM_FRIEND_SELF')
  // DELETE also withdraws a pending request (the undo of a PUT).
  const c = await person(test, 'Fedor', 'fedor')
  await a.call('PUT', `/api/v1/me/friends/${c.id}`)
  t.equal(rel(await a.call('DELETE', `/api/v1/me/friends/${c.id}`)), 'none')
  t.same((await c.call('GET', '/api/v1/me/friend-requests')).json().incoming, [])
})

t.test('blocking: ends everything between us; they cannot find or ask me; I cannot ask them until I unblock', async (t) => {
  const test = await buildTestApp(t)
  const a = await person(test, 'Gleb', 'gleb')
  const b = await person(test, 'Hanna', 'hanna')
  await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })
  await b.call('POST', `/api/v1/me/friend-requests/${a.id}/accept`)

  const blocked = await b.call('PUT', `/api/v1/me/blocks/${a.id}`)
  t.same(blocked.json(), { success: true, errors: [], userId: a.id, relationship: 'blocked' })
  t.equal(rel(await b.call('PUT', `/api/v1/me/blocks/${a.id}`)), 'blocked', 'idempotent')
  t.same((await a.call('GET', '/api/v1/me/friends')).json().friends, [], 'the friendship is gone')
  t.same((await b.call('GET', '/api/v1/me/blocks')).json().blocked.map((x: { person: { id: string } }) => x.person.id), [a.id])

  // For the blocked one, the blocker does not exist.
  t.same((await a.call('GET', '/api/v1/people?q=han')).json().people, [], 'not in search')
  t.equal(code(await a.call('GET', '/api/v1/people/@hanna')), 'ROOM_USER_NOT_FOUND')
  t.equal(code(await a.call('GET', `/api/v1/people/${b.id}`)), 'ROOM_USER_NOT_FOUND')
  const ask = await a.call('POST', '/api/v1/me/friend-requests', { handle: 'hanna' })
  t.equal(ask.statusCode, 404)
  t.equal(code(ask), 'ROOM_USER_NOT_FOUND', 'a request to a blocker: as if they did not exist')
  t.equal(code(await a.call('PUT', `/api/v1/me/friends/${b.id}`)), 'ROOM_USER_NOT_FOUND')
  t.equal(code(await a.call('POST', `/api/v1/me/friend-requests/${b.id}/accept`)), 'ROOM_USER_NOT_FOUND')
  // The blocker sees them, marked, and must unblock to ask.
  t.equal((await b.call('GET', '/api/v1/people/@gleb')).json().person.relationship, 'blocked')
  const fromBlocker = await b.call('POST', '/api/v1/me/friend-requests', { userId: a.id })
  t.equal(fromBlocker.statusCode, 409)
  t.equal(code(fromBlocker), 'ROOM_USER_BLOCKED')
  t.equal(code(await b.call('PUT', `/api/v1/me/blocks/${b.id}`)), 'ROOM_BLOCK_SELF')
  t.equal(code(await b.call('PUT', '/api/v1/me/blocks/nobody-at-all')), 'ROOM_USER_NOT_FOUND')
  t.equal((await a.call('PUT', `/api/v1/me/blocks/${b.id}`)).statusCode, 200, 'blocking a blocker back works')

  // Pending requests both ways end with a block.
  const c = await person(test, 'Ivan', 'ivan')
  const d = await person(test, 'Jana', 'jana')
  await c.call('POST', '/api/v1/me/friend-requests', { userId: d.id })
  await d.call('PUT', `/api/v1/me/blocks/${c.id}`)
  t.same((await c.call('GET', '/api/v1/me/friend-requests')).json().outgoing, [])

  t.equal(rel(await b.call('DELETE', `/api/v1/me/blocks/${a.id}`)), 'none')
  t.equal(rel(await b.call('DELETE', `/api/v1/me/blocks/${a.id}`)), 'none', 'unblocking twice is fine')
  await a.call('DELETE', `/api/v1/me/blocks/${b.id}`)
  t.equal((await a.call('GET', '/api/v1/people?q=han')).json().people.length, 1, 'found again')
  t.equal(rel(await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })), 'request_sent', 'and may ask again')
})

t.test('people search: handle or display-name prefix, case-insensitive, paged, never an email', async (t) => {
  const test = await buildTestApp(t)
  const me = await person(test, 'Searcher', 'searcher')
  await person(test, 'Vasily Petrov', 'vasily')
  await person(test, 'Vasilisa', 'vasilisa')
  await person(test, 'Василиса Прекрасная', 'premudraya')
  await person(test, 'Percent', 'pct_100')
  const search = async (q: string, extra = '') => (await me.call('GET', `/api/v1/people?q=${encodeURIComponent(q)}${extra}`)).json()

  t.same((await search('VAS')).people.map((p: { handle: string }) => p.handle), ['vasilisa', 'vasily'])
  t.same((await search('@vasi')).people.map((p: { handle: string }) => p.handle), ['vasilisa', 'vasily'], 'with @')
  t.same((await search('васил')).people.map((p: { handle: string }) => p.handle), ['premudraya'], 'display names in any script, any case')
  t.same((await search('vasily p')).people.map((p: { handle: string }) => p.handle), ['vasily'], 'a display name prefix with a space')
  t.same((await search('sea')).people, [], 'never myself')
  t.same((await search('%')).people, [], 'LIKE wildcards are literal')
  t.same((await search('pct_')).people.map((p: { handle: string }) => p.handle), ['pct_100'])
  const page1 = await search('vas', '&limit=1')
  t.same(page1.people.map((p: { handle: string }) => p.handle), ['vasilisa'])
  t.equal(page1.nextOffset, 1)
  const page2 = await search('vas', '&limit=1&offset=1')
  t.same(page2.people.map((p: { handle: string }) => p.handle), ['vasily'])
  t.equal(page2.nextOffset, null)
  const all = await me.call('GET', '/api/v1/people?q=v')
  t.notMatch(all.body, /email/, 'no email field at all')
  t.same(Object.keys(all.json().people[0]).sort(), ['avatarUrl', 'displayName', 'handle', 'id', 'relationship'])
  for (const q of ['', '?q=', '?q=a&limit=51', '?q=a&limit=x', '?q=a&other=1']) {
    t.equal((await me.call('GET', `/api/v1/people${q}`)).statusCode, 400, q)
  }
  t.equal(code(await test.app.inject('/api/v1/people?q=a')), 'ROOM_AUTH_REQUIRED')
})

t.test('every change is a user-scoped event: key user:<id>, numbered per user, in order', async (t) => {
  const test = await buildTestApp(t)
  const a = await person(test, 'Kira', 'kira')
  const b = await person(test, 'Lev', 'lev')
  await a.call('POST', '/api/v1/me/friend-requests', { userId: b.id })
  await b.call('POST', `/api/v1/me/friend-requests/${a.id}/accept`)
  await a.call('DELETE', `/api/v1/me/friends/${b.id}`)
  await a.call('PUT', `/api/v1/me/blocks/${b.id}`)
  await a.call('DELETE', `/api/v1/me/blocks/${b.id}`)
  await a.call('PATCH', '/api/v1/me', { displayName: 'Kira K' })

  const reader = await collectTopic(t, test.topic)
  // Two handle changes (setup) plus 6 + 3 relationship and profile events.
  const events = await reader.waitForCount(2 + 9)
  const stream = (id: string) => events.filter((e) => e.userId === id)
  const aEvents = stream(a.id)
  t.same(aEvents.map((e) => [e.type, e.payload]), [
    ['user.profile_updated', { handle: 'kira', displayName: 'Kira', avatarVersion: 0 }],
    ['friend.request_sent', { otherUserId: b.id, actorId: a.id }],
    ['friend.request_accepted', { otherUserId: b.id, actorId: b.id }],
    ['friend.removed', { otherUserId: b.id, actorId: a.id }],
    ['user.blocked', { otherUserId: b.id, actorId: a.id }],
    ['user.unblocked', { otherUserId: b.id, actorId: a.id }],
    ['user.profile_updated', { handle: 'kira', displayName: 'Kira K', avatarVersion: 0 }]
  ])
  t.same(stream(b.id).map((e) => [e.type, e.payload]), [
    ['user.profile_updated', { handle: 'lev', displayName: 'Lev', avatarVersion: 0 }],
    ['friend.request_sent', { otherUserId: a.id, actorId: a.id }],
    ['friend.request_accepted', { otherUserId: a.id, actorId: b.id }],
    ['friend.removed', { otherUserId: a.id, actorId: a.id }]
  ], "the blocked one's stream says nothing of the block")
  t.same(aEvents.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7], 'per-user seq from 1, no gaps')
  t.same(stream(b.id).map((e) => e.seq), [1, 2, 3, 4])
  for (const e of events) {
    t.equal(e.roomId, null)
    t.equal(e.source, 'room-api')
    t.equal(e.partition, partitionFor(`user:${e.userId}`, 3), `${e.type} on the partition of user:${e.userId}`)
  }
  t.same(reader.bad, [], 'every record parses and is keyed user:<id>')
  await waitFor('the outbox to drain', async () => (await test.app.pg.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0)
})

t.test('two people asking each other at the same moment end up friends (no deadlock, no duplicate)', async (t) => {
  const test = await buildTestApp(t)
  const pairs: Array<[TestUser, TestUser]> = []
  for (let i = 0; i < 6; i++) pairs.push([await person(test, `P${i}`, `pa_${i}`), await person(test, `Q${i}`, `qa_${i}`)])
  const results = await Promise.all(pairs.flatMap(([p, q]) => [
    p.call('POST', '/api/v1/me/friend-requests', { userId: q.id }),
    q.call('POST', '/api/v1/me/friend-requests', { userId: p.id })
  ]))
  t.same(results.map((r) => r.statusCode), results.map(() => 201))
  for (let i = 0; i < pairs.length; i++) {
    t.same([rel(results[2 * i]!), rel(results[2 * i + 1]!)].sort(), ['friend', 'request_sent'], `pair ${i}`)
  }
  const { rows } = await test.app.pg.query('SELECT count(*)::int AS n FROM friendships')
  t.equal(rows[0].n, pairs.length * 2, 'one friendship (two rows) per pair')
  t.equal((await test.app.pg.query('SELECT count(*)::int AS n FROM friend_requests')).rows[0].n, 0)
  await t.rejects(test.app.pg.query('INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2)', [pairs[0]![0].id, pairs[1]![0].id]),
    { code: '23514' }, 'a one-way friendship row is refused at commit')
})
