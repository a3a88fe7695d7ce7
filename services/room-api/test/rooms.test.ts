import t from 'tap'
import { buildTestApp } from './helpers/app.js'

t.test('create, details, join, leave, close', async (t) => {
  const { user } = await buildTestApp(t)
  const alice = await user('Alice')
  const bob = await user('Bob')

  const created = await alice.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(created.statusCode, 201, created.body)
  const body = created.json()
  t.equal(body.success, true)
  t.same(body.errors, [])
  t.match(body.room.inviteCode, /^[0-9A-Za-z]{12}$/)
  t.equal(body.link, `http://127.0.0.1:3001/r/${body.room.inviteCode}`)
  t.equal(body.room.hostId, alice.id)
  t.equal(body.room.film.title, 'Sintel')

  const joined = await bob.call('POST', `/api/v1/invites/${body.room.inviteCode}/join`)
  t.equal(joined.statusCode, 200, joined.body)
  t.same(joined.json().room.members.map((m: { name: string, role: string }) => [m.name, m.role]), [['Alice', 'host'], ['Bob', 'guest']])
})
