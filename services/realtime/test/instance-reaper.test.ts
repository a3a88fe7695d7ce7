// An instance that dies without closing its sockets: another instance counts its connections out.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { roomKeys } from '../src/rooms/keys.js'
import { startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig({ INSTANCE_HEARTBEAT_MS: '100' })
const { app, base } = await startApp(t, { ...config, INSTANCE_ID: 'survivor' })

t.test('the connections of a dead instance are counted out by a live one', async (t) => {
  const roomId = randomUUID()
  const { client } = await TestClient.join(base, roomId, { userId: 'watcher' })
  t.teardown(() => client.close())

  // A second instance holding one socket of the room, then "crashing": its process state is dropped
  // without its sockets being counted out (close() would count them out, so its registry is stopped first
  // and its Redis bookkeeping restored to what a crash leaves behind).
  const doomed = await buildApp({ ...config, INSTANCE_ID: 'doomed' }, { consumeLifecycle: false })
  await doomed.listen({ host: '127.0.0.1', port: 0 })
  const { client: ghost } = await TestClient.join(`ws://127.0.0.1:${(doomed.server.address() as { port: number }).port}`, roomId, { userId: 'ghost' })
  t.match(await client.ofType('presence.joined'), { member: { userId: 'ghost' } })
  const held = await app.redis.hGetAll(`${config.REDIS_PREFIX}:instance:{doomed}:conns`)
  t.equal(Object.keys(held).length, 1, 'the doomed instance registered its socket')
  await doomed.realtime.registry.stop()
  ghost.socket.terminate()
  await doomed.close()
  // Undo the graceful bookkeeping: as after a crash, the socket still counts and its registry entry stays.
  const keys = roomKeys(config.REDIS_PREFIX, roomId)
  await app.redis.multi()
    .hIncrBy(keys.conns, 'ghost', 1).hIncrBy(keys.meta, 'connections', 1)
    .hSet(`${config.REDIS_PREFIX}:instance:{doomed}:conns`, held)
    .zAdd(`${config.REDIS_PREFIX}:instances`, { score: Date.now(), value: 'doomed' })
    .exec()
  await client.ofType('presence.left', 'the graceful leave of the doomed socket')

  // Three missed beats later the survivor counts the socket out.
  t.match(await client.ofType('presence.left', 'the reaper counting the ghost out'), { userId: 'ghost' })
  t.equal(await app.redis.hGet(keys.conns, 'ghost'), '0')
  await waitFor('the dead instance to leave the registry', async () => (await app.redis.zScore(`${config.REDIS_PREFIX}:instances`, 'doomed')) === null)
  t.pass('the dead instance left the registry')
})
