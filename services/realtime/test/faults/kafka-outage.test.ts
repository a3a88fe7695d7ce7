// Kafka stopped for ~30 s during traffic: rooms keep working, events wait in the Redis outbox,
// and afterwards the topic holds every event once per id, in seq order per room.
import { randomUUID } from 'node:crypto'
import { stackCommand, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { roomKeys } from '../../src/rooms/keys.js'
import { startApp, testConfig, TestClient } from '../helpers.js'
import { readTopic } from '../kafka-read.js'

// 30 s of outage plus catching up: longer than the default per-file timeout.
t.setTimeout(300_000)

const config = testConfig({ CHAT_RATE_MAX: '10000' })
const { app, base } = await startApp(t, config)
await app.kafka.connected
t.teardown(() => stackCommand('up', 'kafka'))

t.test('a Kafka outage loses nothing and does not stop the room', async (t) => {
  const rooms = [randomUUID(), randomUUID()]
  const pairs = await Promise.all(rooms.map(async (roomId) => {
    const { client: a } = await TestClient.join(base, roomId, { userId: 'a' })
    const { client: b } = await TestClient.join(base, roomId, { userId: 'b' })
    return { roomId, a, b }
  }))
  let n = 0
  /** One chat message per room; resolves when the other member received it. */
  const traffic = async () => {
    n++
    await Promise.all(pairs.map(async ({ a, b }) => {
      a.send({ type: 'chat.send', clientMessageId: `m${n}`, text: `message ${n}` })
      const got = await b.ofType('chat.message_sent')
      if (got.message.text !== `message ${n}`) throw new Error(`expected message ${n}, got ${got.message.text}`)
    }))
  }
  for (let i = 0; i < 5; i++) await traffic()

  await stackCommand('down', 'kafka')
  const outageStart = Date.now()
  while (Date.now() - outageStart < 30_000) {
    await traffic()
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  t.pass(`rooms kept working during the outage (${n} rounds)`)
  const held = await app.outboxBacklog()
  t.ok(held > 0, `events held in the outbox meanwhile (${held})`)
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200, 'the instance stays ready: rooms work without Kafka')
  t.not(ready.json().checks.kafka, 'ok', 'and /readyz reports Kafka as down')
  await stackCommand('up', 'kafka')
  for (let i = 0; i < 5; i++) await traffic()

  await waitFor('the outbox to drain', async () => (await app.outboxBacklog()) === 0, 120_000, 500)
  const read = await readTopic(config.KAFKA_TOPIC)
  t.teardown(() => read.stop())
  for (const roomId of rooms) {
    const last = Number(await app.redis.get(roomKeys(config.REDIS_PREFIX, roomId).seq))
    await waitFor(`room ${roomId} read back`, () => read.events.filter((e) => e.roomId === roomId).length >= last, 60_000, 200)
    const mine = read.events.filter((e) => e.roomId === roomId)
    t.equal(new Set(mine.map((e) => e.id)).size, mine.length, 'each event id once')
    t.same(mine.map((e) => e.seq), Array.from({ length: last }, (_, i) => i + 1), `every seq 1..${last}, in order`)
    t.ok(mine.every((e) => e.key === roomId))
  }
  await Promise.all(pairs.flatMap(({ a, b }) => [a.close(), b.close()]))
})
