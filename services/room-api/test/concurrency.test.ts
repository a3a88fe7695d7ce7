import pg from 'pg'
import t from 'tap'
import { stack } from '@watch-together/test-kit'
import { buildTestApp } from './helpers/app.js'

t.test('two simultaneous creates by one owner make exactly one room', async (t) => {
  const { user, schema } = await buildTestApp(t, { PG_POOL_MAX: '10' })
  for (let round = 0; round < 5; round++) {
    const owner = await user(`Owner ${round}`)
    const results = await Promise.all([
      owner.call('POST', '/api/v1/rooms', { filmId: 'sintel' }),
      owner.call('POST', '/api/v1/rooms', { filmId: 'big-buck-bunny' })
    ])
    t.same(results.map((r) => r.statusCode).sort(), [201, 409], `round ${round}`)
    const client = new pg.Client({ connectionString: stack.databaseUrl })
    await client.connect()
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.rooms WHERE owner_id = $1`, [owner.id])
    await client.end()
    t.equal(rows[0].n, 1)
  }
})

t.test('50 simultaneous joins make 50 members, no duplicates, gap-free event seqs', async (t) => {
  // No Kafka for this app: the relay then leaves every event in the outbox for the checks below.
  const { app, user, schema } = await buildTestApp(t, { PG_POOL_MAX: '20', KAFKA_BROKERS: '127.0.0.1:1' })
  const host = await user('Host')
  const room = (await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  const guests = await Promise.all(Array.from({ length: 50 }, (_, i) => user(`Guest ${i}`)))
  // Each guest joins twice at once as well: still one membership each.
  const results = await Promise.all(guests.flatMap((g) => [g.call('POST', `/api/v1/rooms/${room.id}/join`), g.call('POST', `/api/v1/invites/${room.inviteCode}/join`)]))
  t.same([...new Set(results.map((r) => r.statusCode))], [200])
  const details = (await host.call('GET', `/api/v1/rooms/${room.id}`)).json().room
  t.equal(details.members.length, 51)
  t.equal(new Set(details.members.map((m: { userId: string }) => m.userId)).size, 51)
  t.equal(details.members.filter((m: { role: string }) => m.role === 'host').length, 1)
  const { rows } = await app.pg.query(`SELECT seq::int, type FROM ${schema}.outbox WHERE room_id = $1 ORDER BY seq`, [room.id])
  t.equal(rows.filter((r) => r.type === 'member.joined').length, 51, 'one member.joined per member (host included)')
  t.same(rows.map((r) => r.seq), Array.from({ length: rows.length }, (_, i) => i + 1), 'seqs are 1..n without gaps')
})
