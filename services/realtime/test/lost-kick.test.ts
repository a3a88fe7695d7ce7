// A kick lost in pub/sub: room-api's member.left reached realtime and was recorded, but the kick published
// on the room's channel fell into the gap while the subscriber reconnected (a Redis restart). Found by the
// chaos soak (issue 20): 30 removed members' sockets stayed open past the 120 s bound. Once pub/sub is back,
// every socket is checked against the recorded memberships and the ended ones are closed as the kick would.
import { randomUUID } from 'node:crypto'
import { CLOSE_CODES } from '@watch-together/protocol'
import t from 'tap'
import { roomKeys } from '../src/rooms/keys.js'
import { killSubscribers, nodeClients, startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()
const { app, base } = await startApp(t, config)
const admins = await nodeClients()
t.teardown(() => Promise.all(admins.map(async (a) => await a.close())))

t.test('the resync after a subscriber reconnect closes a socket whose kick was lost', async (t) => {
  const roomId = randomUUID()
  await app.roomStore.recordJoined(roomId, 'removed', 1)
  await app.roomStore.recordJoined(roomId, 'stays', 2)
  const { client: removed } = await TestClient.join(base, roomId, { userId: 'removed', epoch: 1 })
  const { client: stays } = await TestClient.join(base, roomId, { userId: 'stays', epoch: 2 })
  t.teardown(() => { removed.close(); stays.close() })

  // The host removed the member: recorded as the lifecycle consumer does, but its kick never arrives.
  t.equal(await app.roomStore.recordLeft(roomId, 'removed', 5, 'removed'), 'applied')
  // The subscriber's connections drop (as in a Redis restart); on its way back the hub resyncs.
  const killed = await killSubscribers(admins, config.REDIS_PREFIX)
  t.ok(killed > 0, `found the app's subscriber connections (${killed})`)

  t.match(await removed.closed, { code: CLOSE_CODES.memberRemoved }, 'closed with the kick\'s code')
  // The member who stays keeps the socket, and live frames.
  stays.send({ type: 'player.play', version: 0 })
  t.match(await stays.ofType('player.state_changed'), { state: { playing: true } })
})

t.test('closing what a lost message would have closed never overtakes the frame that says why', async (t) => {
  const roomId = randomUUID()
  await app.roomStore.recordJoined(roomId, 'host', 1)
  const { client } = await TestClient.join(base, roomId, { userId: 'host', epoch: 1 })
  t.teardown(() => client.close())
  const closedFrame = client.ofType('room.closed')
  // The lifecycle consumer marks the room closed, then writes its room.closed frame: a check that runs
  // between the two finds the room closed before the frame exists (the cluster lane's kafka.test hit it).
  t.ok(await app.roomStore.markClosed(roomId))
  const check = app.roomHub.closeEnded()
  await new Promise((resolve) => setTimeout(resolve, 300))
  await app.roomStore.emit(roomId, { frame: { type: 'room.closed', at: Date.now(), reason: 'host' } })
  await check
  t.match(await closedFrame, { type: 'room.closed' }, 'the room.closed frame arrives first')
  t.match(await client.closed, { code: CLOSE_CODES.roomClosed }, 'then the socket closes with the room\'s code')
})

t.test('a room close published behind a frame that fills a gap waits for it', async (t) => {
  const roomId = randomUUID()
  await app.roomStore.recordJoined(roomId, 'host', 1)
  const { client } = await TestClient.join(base, roomId, { userId: 'host', epoch: 1 })
  t.teardown(() => client.close())
  // A frame after the snapshot makes the hub's gap checks start from the room's seq.
  client.send({ type: 'chat.send', clientMessageId: randomUUID(), text: 'hello' })
  await client.ofType('chat.message_sent')
  // Pub/sub is being watched for lost frames (as after a reconnect or a failover), and the room's seq
  // jumps (Kafka-only events take seqs too): the next frame is held while the gap is read from the stream.
  app.roomHub.watch()
  t.teardown(() => app.roomHub.stop())
  await app.redis.incr(roomKeys(config.REDIS_PREFIX, roomId).seq)
  const closedFrame = client.ofType('room.closed')
  t.ok(await app.roomStore.markClosed(roomId))
  await app.roomStore.emit(roomId, { frame: { type: 'room.closed', at: Date.now(), reason: 'host' } })
  await app.roomHub.publishControl({ kind: 'close_room', roomId, code: CLOSE_CODES.roomClosed, reason: 'room closed' })
  t.match(await closedFrame, { type: 'room.closed' }, 'the frame arrives before the close')
  t.match(await client.closed, { code: CLOSE_CODES.roomClosed })
})
