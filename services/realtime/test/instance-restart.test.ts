// An instance killed and restarted under the same INSTANCE_ID (a container keeps its hostname, and its
// pid is often 1 again) never looks dead to the others: the restarted process itself must count out the
// connections its id still holds from the process before it. Found by the chaos soak (issue 20): after
// a realtime instance was SIGKILLed and restarted, its members stayed "online" for good.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { roomKeys } from '../src/rooms/keys.js'
import { startApp, testConfig, TestClient } from './helpers.js'

// Beats of 1 s: the watcher takes an instance for dead after 3 missed beats, and on a loaded machine a
// process starting up (the restarted one) can stall for 300 ms; with 100 ms beats the cluster lane in CI
// saw the watcher reap the restarted instance, which counted out and deleted its new socket's entry.
const config = testConfig({ INSTANCE_HEARTBEAT_MS: '1000' })
const { app, base } = await startApp(t, { ...config, INSTANCE_ID: `watcher-${randomUUID().slice(0, 8)}` })

t.test('a restarted instance counts out what its previous process held', async (t) => {
  const roomId = randomUUID()
  const phoenix = `phoenix-${randomUUID().slice(0, 8)}`
  const { client } = await TestClient.join(base, roomId, { userId: 'watcher' })
  t.teardown(() => client.close())

  // The first process of `phoenix` holds one socket of the room, then "crashes" (as in
  // instance-reaper.test.ts: its Redis bookkeeping is left as a SIGKILL leaves it).
  const first = await buildApp({ ...config, INSTANCE_ID: phoenix }, { consumeLifecycle: false })
  await first.listen({ host: '127.0.0.1', port: 0 })
  const { client: ghost } = await TestClient.join(`ws://127.0.0.1:${(first.server.address() as { port: number }).port}`, roomId, { userId: 'ghost' })
  t.match(await client.ofType('presence.joined'), { member: { userId: 'ghost' } })
  // The registry's write goes out beside the join's announcement, not before it: waited for.
  const registered = async () => {
    const entries = await app.redis.hGetAll(`${config.REDIS_PREFIX}:instance:{${phoenix}}:conns`)
    return Object.keys(entries).length === 1 ? entries : undefined
  }
  const held = await waitFor('the first process to register its socket', registered)
  t.equal(Object.keys(held).length, 1, 'the first process registered its socket')
  await first.instanceRegistry.stop()
  ghost.socket.terminate()
  await first.close()
  const keys = roomKeys(config.REDIS_PREFIX, roomId)
  // The room's keys and the instance's are in different slots (Redis Cluster): a MULTI each.
  await app.redis.multi().hIncrBy(keys.conns, 'ghost', 1).hIncrBy(keys.meta, 'connections', 1).exec()
  await app.redis.hSet(`${config.REDIS_PREFIX}:instance:{${phoenix}}:conns`, held)
  await client.ofType('presence.left', 'the graceful leave of the first process socket')

  // The restart, under the same id and beating at once: to the others it never missed a beat.
  const second = await buildApp({ ...config, INSTANCE_ID: phoenix }, { consumeLifecycle: false })
  t.teardown(() => second.close())
  await second.listen({ host: '127.0.0.1', port: 0 })

  t.match(await client.ofType('presence.left', 'the restarted instance counting the ghost out'), { userId: 'ghost' })
  await waitFor('the ghost to be counted out', async () => (await app.redis.hGet(keys.conns, 'ghost')) === null || (await app.redis.hGet(keys.conns, 'ghost')) === '0')
  t.equal(Number(await app.redis.hGet(keys.meta, 'connections')), 1, 'only the watcher counts in the room')

  // The restarted process's own sockets are its own: counted in, and not counted out again.
  const { client: fresh } = await TestClient.join(`ws://127.0.0.1:${(second.server.address() as { port: number }).port}`, roomId, { userId: 'fresh' })
  t.teardown(() => fresh.close())
  t.match(await client.ofType('presence.joined'), { member: { userId: 'fresh' } })
  t.equal(Object.keys(await waitFor('the new socket to be registered', registered)).length, 1, 'the new socket is registered')
  t.equal(await app.redis.hGet(keys.conns, 'fresh'), '1')
})
