// A socket that closes after its room was archived (room.archived deleted the live keys while the
// close was on its way) must not bring the room's keys back: they would stay in Redis with no expiry.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { globalKeys } from '../src/rooms/keys.js'
import { startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config)

t.test('a close after the archive leaves only the seq counter', async (t) => {
  const roomId = randomUUID()
  const userId = `u-${randomUUID().slice(0, 8)}`
  const { client } = await TestClient.join(base, roomId, { userId })
  await app.roomStore.deleteLive(roomId)
  await client.close()
  // The disconnect's last step counts the user out service-wide; after it nothing more is written.
  await waitFor('the disconnect to be counted', async () =>
    await app.redis.hGet(globalKeys(config.REDIS_PREFIX).userConnections, userId) === null)
  // The outbox stream outlives the archive until its events are on Kafka (the publisher then deletes it).
  const keys = await waitFor('the outbox to drain', async () => {
    const keys = await app.redis.keys(`${config.REDIS_PREFIX}:room:{${roomId}}:*`)
    return keys.every((k) => !k.endsWith(':outbox')) && keys
  }, 30_000, 100)
  t.same(keys.filter((k) => !k.includes(':rate:')), [`${config.REDIS_PREFIX}:room:{${roomId}}:seq`], 'no live key came back')
  t.notOk(await app.redis.sIsMember(globalKeys(config.REDIS_PREFIX).activeRooms, roomId), 'not active')
})
