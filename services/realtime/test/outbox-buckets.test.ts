// Two instances share the outbox's buckets (one lease each): every room's events reach Kafka once each, in
// seq order, whichever instance emitted them and whichever published them; both instances publish.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { startApp, testConfig } from './helpers.js'
import { readTopic, waitForEvents } from './kafka-read.js'

const config = testConfig({ OUTBOX_BUCKETS: '4' })
const one = await startApp(t, { ...config, INSTANCE_ID: 'one' })
const two = await startApp(t, { ...config, INSTANCE_ID: 'two' })
await Promise.all([one.app.kafka.connected, two.app.kafka.connected])
const read = await readTopic(config.KAFKA_TOPIC)
t.teardown(() => read.stop())

t.test('rooms spread over the buckets keep their order, each event once, with both instances publishing', async (t) => {
  const published = async () => await Promise.all([one.app, two.app].map(async (app) => Number(/realtime_kafka_published_total\S* (\d+)/.exec((await app.inject('/metrics')).body)?.[1] ?? 0)))
  await waitFor('the instances to share the 4 buckets', async () =>
    one.app.outboxBuckets().length === 2 && two.app.outboxBuckets().length === 2, 30_000, 200)
  t.same([...one.app.outboxBuckets(), ...two.app.outboxBuckets()].sort(), [0, 1, 2, 3], 'each bucket held by one instance')
  const before = await published()
  const rooms: string[] = Array.from({ length: 24 }, () => randomUUID())
  const perRoom = 10
  // Interleaved across rooms and instances: each room's events come from both.
  for (let i = 0; i < perRoom; i++) {
    await Promise.all(rooms.map(async (roomId, r) => await ((r + i) % 2 ? one : two).app.roomStore.emit(roomId, {
      event: { type: 'announcement.sent', userId: null, at: Date.now(), payload: { text: `n${i}`, scope: 'room' } }
    })))
  }
  await waitForEvents(read, 'every room\'s events', (events) => events.filter((e) => rooms.includes(e.roomId ?? '')).length >= rooms.length * perRoom, undefined, [one.app, two.app])
  for (const roomId of rooms) {
    const mine = read.events.filter((e) => e.roomId === roomId)
    t.same(mine.map((e) => e.seq), Array.from({ length: perRoom }, (_, i) => i + 1), `room ${roomId.slice(0, 8)}: seq 1..${perRoom}, once each, in order`)
  }
  await waitFor('both instances to have published', async () => {
    const after = await published()
    return after.every((n, i) => n > before[i]!)
  }, 30_000, 200)
  t.pass('both instances published (the buckets are shared)')
})
