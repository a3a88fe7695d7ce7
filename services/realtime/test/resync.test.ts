// The pub/sub connection drops (killed in Redis): frames published meanwhile still reach the sockets, in order.
import { randomUUID } from 'node:crypto'
import { stack } from '@watch-together/test-kit'
import { createClient } from 'redis'
import t from 'tap'
import { startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config)
const admin = createClient({ url: stack.redisUrl })
await admin.connect()
t.teardown(() => admin.close())

t.test('frames published while the subscriber reconnects are caught up from the room stream', async (t) => {
  const roomId = randomUUID()
  const { client } = await TestClient.join(base, roomId, { userId: 'a' })
  t.teardown(() => client.close())
  const name = `${config.REDIS_PREFIX}:subscriber:`
  const line = (await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']) as string).split('\n').find((l) => l.includes(`name=${name}`))
  const id = /id=(\d+)/.exec(line ?? '')?.[1]
  t.ok(id, 'found the app\'s subscriber connection')
  await admin.sendCommand(['CLIENT', 'KILL', 'ID', id!])
  // Published right away, before the subscriber is back: pub/sub alone would lose these.
  const now = Date.now()
  for (const text of ['one', 'two', 'three']) {
    await app.realtime.roomLog.emit(roomId, { frame: { type: 'announcement.sent', at: now, text, scope: 'room' } })
  }
  const got = []
  for (let i = 0; i < 3; i++) got.push((await client.ofType('announcement.sent', `announcement ${i + 1}`)).text)
  t.same(got, ['one', 'two', 'three'])
  // And live delivery works again afterwards.
  client.send({ type: 'player.play', version: 0 })
  t.match(await client.ofType('player.state_changed'), { state: { playing: true } })
})
