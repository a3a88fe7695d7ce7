// Kafka stops while rooms change: every change still succeeds, and once Kafka is back the topic
// holds exactly the committed events, each room's in order, none lost or duplicated.
import t from 'tap'
import { stackCommand, waitFor } from '@watch-together/test-kit'
import { buildTestApp } from '../helpers/app.js'
import { collectTopic } from '../helpers/topic.js'

t.test('outbox survives a Kafka outage', async (t) => {
  t.teardown(() => stackCommand('up', 'kafka'))
  const { app, user, topic } = await buildTestApp(t)
  await app.kafka.connected
  const hosts = await Promise.all(['A', 'B', 'C'].map((n) => user(`Host ${n}`)))
  const guests = await Promise.all(['x', 'y'].map((n) => user(`Guest ${n}`)))
  const first = (await hosts[0]?.call('POST', '/api/v1/rooms', { filmId: 'sintel' }))?.json().room
  await waitFor('the first events to be relayed', async () =>
    (await app.pg.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0, 30_000)

  await stackCommand('down', 'kafka')
  const statuses: number[] = []
  const rooms = [first]
  for (const host of hosts.slice(1)) {
    const res = await host.call('POST', '/api/v1/rooms', { filmId: 'tears-of-steel' })
    statuses.push(res.statusCode)
    rooms.push(res.json().room)
  }
  for (const room of rooms) {
    for (const guest of guests) statuses.push((await guest.call('POST', `/api/v1/rooms/${room.id}/join`)).statusCode)
    statuses.push((await guests[0]?.call('POST', `/api/v1/rooms/${room.id}/leave`))?.statusCode ?? 0)
  }
  statuses.push((await hosts[0]?.call('PUT', `/api/v1/rooms/${first.id}/control-mode`, { controlMode: 'host_only' }))?.statusCode ?? 0)
  statuses.push((await hosts[0]?.call('POST', `/api/v1/rooms/${first.id}/close`))?.statusCode ?? 0)
  t.ok(statuses.every((s) => s === 200 || s === 201), `every change succeeded while Kafka was down: ${statuses.join(',')}`)
  const pending = (await app.pg.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n
  t.ok(pending > 0, `${pending} events wait in the outbox`)

  await stackCommand('up', 'kafka')
  // What was committed: each room's counter says how many events it wrote (seq 1..n), and the
  // outbox still holds the ids of those not yet published.
  const counts = new Map((await app.pg.query<{ id: string, n: number }>('SELECT id, event_seq::int AS n FROM rooms')).rows.map((r) => [r.id, r.n]))
  const unpublished = (await app.pg.query<{ event_id: string }>('SELECT event_id FROM outbox')).rows.map((r) => r.event_id)
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  await waitFor('the outbox to drain', async () =>
    (await app.pg.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0, 120_000, 250)

  const reader = await collectTopic(t, topic)
  await reader.waitForCount(total, 60_000)
  // Give a duplicate the chance to show up before counting.
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const events = reader.events
  t.equal(events.length, total, 'exactly the committed events: none lost, none duplicated')
  t.equal(new Set(events.map((e) => e.id)).size, total, 'distinct event ids')
  const published = new Set(events.map((e) => e.id))
  t.ok(unpublished.every((id) => published.has(id)), 'every event that waited in the outbox arrived')
  for (const [roomId, n] of counts) {
    const seqs = events.filter((e) => e.roomId === roomId).map((e) => e.seq)
    t.same(seqs, Array.from({ length: n }, (_, i) => i + 1), `room ${roomId}: seq 1..${n}, in order`)
  }
})
