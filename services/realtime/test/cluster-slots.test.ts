// A room's atomic step must touch one Redis Cluster slot: every key and channel of a room, its outbox
// stream and the slot index that lists it. Against a cluster (REDIS_CLUSTER_NODES), the slot arithmetic
// is checked against the servers' own (CLUSTER KEYSLOT) and a room's events are seen to reach Kafka
// through the per-room outbox, leaving nothing listed behind.
import { randomUUID } from 'node:crypto'
import { stack, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createOutboxIndex } from '../src/kafka/outbox-index.js'
import { globalKeys, roomKeys } from '../src/rooms/keys.js'
import { keySlot, SLOTS, slotTag } from '../src/rooms/slots.js'
import { nodeClients, startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()

t.test('a room\'s keys, channel, outbox stream and its slot index share one slot', async (t) => {
  const roomId = randomUUID()
  const keys = roomKeys(config.REDIS_PREFIX, roomId)
  const index = createOutboxIndex(null as never, config.REDIS_PREFIX, config.OUTBOX_BUCKETS)
  const names = [...Object.values(keys).filter((k): k is string => typeof k === 'string'), keys.rate('someone'), index.slotIndexOf(keys.outbox)]
  t.same(new Set(names.map(keySlot)), new Set([keySlot(roomId)]))
  const person = globalKeys(config.REDIS_PREFIX)
  const user = 'user-1'
  const personal = [person.legacyState(user), person.legacySeq(user), person.legacyOutbox(user), person.legacyChannel(user), index.slotIndexOf(person.legacyOutbox(user))]
  t.same(new Set(personal.map(keySlot)), new Set([keySlot(user)]))
})

if (stack.redisClusterNodes.length > 0) {
  t.test('the slot arithmetic agrees with the cluster\'s', async (t) => {
    const nodes = await nodeClients()
    t.teardown(() => Promise.all(nodes.map(async (n) => await n.close())))
    const node = nodes[0]
    for (const key of [randomUUID(), `rt:room:{${randomUUID()}}:state`, 'no-tag', 'a{}{b}', ...[0, 1, 5000, SLOTS - 1].map((s) => `x:{${slotTag(s)}}`)]) {
      t.equal(Number(await node!.sendCommand(['CLUSTER', 'KEYSLOT', key])), keySlot(key), key)
    }
  })

  t.test('room events reach Kafka through the room\'s outbox stream, which is then unlisted', async (t) => {
    const { app, base } = await startApp(t, config)
    const roomId = randomUUID()
    const { client } = await TestClient.join(base, roomId, { userId: 'a' })
    client.send({ type: 'player.play', version: 0 })
    await client.ofType('player.state_changed')
    await client.close()
    const keys = roomKeys(config.REDIS_PREFIX, roomId)
    const index = createOutboxIndex(app.redis, config.REDIS_PREFIX, config.OUTBOX_BUCKETS)
    await waitFor('the room\'s outbox to drain', async () => await app.outboxBacklog() === 0 &&
      !await app.redis.sIsMember(index.slotIndexOf(keys.outbox), keys.outbox), 30_000, 200)
    t.equal(await app.redis.exists(keys.outbox), 0, 'the drained stream is gone')
  })
}
