// The pub/sub connection drops (killed in Redis): frames published meanwhile still reach the sockets, in order.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { killSubscribers, nodeClients, startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config)
// Every node (a cluster has a subscriber connection per primary): the app's are killed on each.
const admins = await nodeClients()
t.teardown(() => Promise.all(admins.map(async (a) => await a.close())))

t.test('frames published while the subscriber reconnects are caught up from the room stream', async (t) => {
  const roomId = randomUUID()
  const { client } = await TestClient.join(base, roomId, { userId: 'a' })
  t.teardown(() => client.close())
  const killed = await killSubscribers(admins, config.REDIS_PREFIX)
  t.ok(killed > 0, `found the app's subscriber connections (${killed})`)
  // Published right away, before the subscriber is back: pub/sub alone would lose these.
  const now = Date.now()
  for (const text of ['one', 'two', 'three']) {
    await app.roomStore.emit(roomId, { frame: { type: 'announcement.sent', at: now, text, scope: 'room' } })
  }
  const got = []
  for (let i = 0; i < 3; i++) got.push((await client.ofType('announcement.sent', `announcement ${i + 1}`)).text)
  t.same(got, ['one', 'two', 'three'])
  // And live delivery works again afterwards.
  client.send({ type: 'player.play', version: 0 })
  t.match(await client.ofType('player.state_changed'), { state: { playing: true } })
})
