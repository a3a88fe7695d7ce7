import t from 'tap'
import { waitFor } from '@watch-together/test-kit'
import { partitionFor } from '@watch-together/kafka'
import { buildTestApp } from './helpers/app.js'
import { collectTopic } from './helpers/topic.js'

t.test('lifecycle events go through the outbox to Kafka, keyed by room, in order', async (t) => {
  const { app, user, topic } = await buildTestApp(t)
  const alice = await user('Alice')
  const bob = await user('Bob')
  const room = (await alice.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  const url = (s: string) => `/api/v1/rooms/${room.id}${s}`
  await bob.call('POST', url('/join'))
  await alice.call('PUT', url('/control-mode'), { controlMode: 'host_only' })
  await alice.call('PUT', url('/control-mode'), { controlMode: 'host_only' }) // unchanged: no event
  await alice.call('PUT', url('/host'), { userId: bob.id })
  await bob.call('POST', url('/leave'))
  await alice.call('POST', url('/close'))

  const expected = [
    ['room.created', alice.id, { filmId: 'sintel', ownerId: alice.id, ownerName: 'Alice', controlMode: 'everyone' }],
    ['member.joined', alice.id, { name: 'Alice', role: 'host' }],
    ['member.joined', bob.id, { name: 'Bob', role: 'guest' }],
    ['room.control_mode_changed', alice.id, { controlMode: 'host_only' }],
    ['host.changed', alice.id, { fromUserId: alice.id, toUserId: bob.id, reason: 'transfer' }],
    ['member.left', bob.id, { name: 'Bob', reason: 'left' }],
    ['host.changed', bob.id, { fromUserId: bob.id, toUserId: alice.id, reason: 'left' }],
    ['room.closed', alice.id, { reason: 'host' }]
  ]
  const reader = await collectTopic(t, topic)
  const events = await reader.waitForCount(expected.length)
  t.same(events.map((e) => [e.type, e.userId, e.payload]), expected)
  t.same(events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8], 'per-room seq from 1, no gaps')
  for (const e of events) {
    t.equal(e.roomId, room.id)
    t.equal(e.source, 'room-api')
    t.equal(e.v, 1)
  }
  t.equal(new Set(events.map((e) => e.partition)).size, 1, 'one room, one partition')
  t.same(reader.bad, [], 'every record parses and is keyed by its room')
  await waitFor('the outbox to be empty once published', async () =>
    (await app.pg.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0)
  t.match((await app.inject('/metrics')).body, /room_api_outbox_unsent\{service="room-api"\} 0/, 'the backlog is a metric')
})

t.test('the relay groups events by the partition Kafka picks for the room id', async (t) => {
  const { user, topic } = await buildTestApp(t)
  const rooms: string[] = []
  for (let i = 0; i < 12; i++) {
    const owner = await user(`Owner ${i}`)
    rooms.push((await owner.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room.id)
  }
  const reader = await collectTopic(t, topic)
  const events = await reader.waitForCount(rooms.length * 2)
  // The test topic has 3 partitions; the broker placed every record where we computed it would go.
  for (const e of events) t.equal(e.partition, partitionFor(e.roomId ?? '', 3), `room ${e.roomId}`)
  t.ok(new Set(events.map((e) => e.partition)).size > 1, 'several partitions were used')
})
