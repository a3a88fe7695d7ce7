import { randomUUID } from 'node:crypto'
import { EVENT_SCHEMA_VERSION, type EventEnvelope } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { uniqueName } from '@watch-together/test-kit'
import { buildTestApp } from './helpers/app.js'
import { collectTopic, produce } from './helpers/topic.js'

const event = (type: string, roomId: string, userId: string | null, payload: Record<string, unknown> = {}): EventEnvelope => ({
  id: randomUUID(), type, roomId, userId, at: Date.now(), seq: 1, v: EVENT_SCHEMA_VERSION, source: 'test', payload
})

t.test('room-api closes and archives rooms from the events it consumes, idempotently', async (t) => {
  const dlq = uniqueName('room-api-dlq')
  const { app, user, topic } = await buildTestApp(t, { KAFKA_CONSUME: 'true', KAFKA_DLQ_TOPIC: dlq, EMPTY_ROOM_GRACE_MS: '0', EMPTY_ROOM_SWEEP_MS: '100' })
  const rooms = []
  const owners = []
  for (const name of ['Ended', 'Empty', 'Online', 'Queue']) {
    const owner = await user(name)
    owners.push(owner)
    rooms.push((await owner.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room)
  }
  const [ended, empty, online, queue] = rooms
  const ownerOfOnline = owners[2]
  const ownerOfQueue = owners[3]
  if (!ended || !empty || !online || !queue || !ownerOfOnline || !ownerOfQueue) throw new Error('setup failed')
  const status = async (id: string) => (await app.pg.query('SELECT status, close_reason FROM rooms WHERE id = $1', [id])).rows[0]

  const ended1 = event('player.ended', ended.id, null, { itemId: 'sintel', version: 3 })
  await produce(t, topic, [
    ended1, ended1, // a redelivery changes nothing
    event('player.ended', ended.id, null, { itemId: 'sintel', version: 4 }),
    event('room.emptied', empty.id, null),
    event('session.connected', online.id, ownerOfOnline.id, { connectionId: 'c1', instance: 'rt-1', name: 'Online' }),
    event('room.archived', online.id, null), // an active room is never archived
    // The end of another film of the room's queue is not the end of the room's film.
    event('player.ended', queue.id, null, { itemId: 'not-the-rooms-film', version: 9 }),
    event('session.connected', queue.id, ownerOfQueue.id, { connectionId: 'c2', instance: 'rt-1', name: 'Queue' })
  ], [{ key: ended.id, value: 'not json' }])

  await waitFor('the ended room to close', async () => (await status(ended.id)).status === 'closed', 60_000)
  t.same(await status(ended.id), { status: 'closed', close_reason: 'film_ended' })
  await waitFor('the empty room to close after the grace period', async () => (await status(empty.id)).status === 'closed', 60_000)
  t.same(await status(empty.id), { status: 'closed', close_reason: 'empty' })
  const member = await waitFor('presence to be recorded', async () => {
    const { rows } = await app.pg.query('SELECT online FROM room_members WHERE room_id = $1', [online.id])
    return rows[0]?.online === true && rows[0]
  })
  t.equal(member.online, true)
  t.equal((await status(online.id)).status, 'active')
  // Same key, same partition: once the later event is applied, the player.ended before it was too.
  await waitFor('the queue room\'s later event', async () => {
    const { rows } = await app.pg.query('SELECT online FROM room_members WHERE room_id = $1', [queue.id])
    return rows[0]?.online === true
  })
  t.same(await status(queue.id), { status: 'active', close_reason: null }, 'another item\'s end leaves the room open')

  const deadLetters = await collectTopic(t, dlq)
  const poison = await waitFor('the malformed record in the dead-letter topic', () => deadLetters.bad.length >= 1 && deadLetters.bad, 60_000)
  t.equal(poison[0]?.value, 'not json')
  t.equal(poison[0]?.key, ended.id)
  t.match(poison[0]?.headers['dlq-reason'], /not JSON/)

  const seq = await app.pg.query('SELECT event_seq::int AS n FROM rooms WHERE id = $1', [ended.id])
  t.equal(seq.rows[0].n, 3, 'room.created, member.joined, then one room.closed, whatever the redeliveries')

  await produce(t, topic, [event('room.archived', ended.id, null), event('room.archived', ended.id, null)])
  await waitFor('the closed room to be archived', async () => (await status(ended.id)).status === 'archived', 60_000)
  const details = await owners[0]?.call('GET', `/api/v1/rooms/${ended.id}`)
  t.equal(details?.json().room.status, 'archived')
})
