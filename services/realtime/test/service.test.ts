// Stats, metrics and graceful shutdown of the real app.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DEV_ADMIN_TOKEN } from '@watch-together/protocol'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { roomKeys } from '../src/rooms/keys.js'
import { requireRedis, testConfig, TestClient, testRedis } from './helpers.js'

const run = promisify(execFile)

t.test('stats count users, rooms and viewers per film; metrics are exported', async (t) => {
  const config = testConfig({ ADMIN_TOKEN: 'admin-token-0123456789abcdef' })
  await requireRedis()
  const app = await buildApp(config, { consumeLifecycle: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port
  const roomId = randomUUID()
  await app.redis.hSet(roomKeys(config.REDIS_PREFIX, roomId).meta, 'filmId', 'film-42')
  const clients = await Promise.all(['a', 'b'].map((userId) => TestClient.join(`ws://127.0.0.1:${port}`, roomId, { userId })))
  t.teardown(() => Promise.all(clients.map(({ client }) => client.close())))
  clients[0]!.client.send({ type: 'player.play', version: 0 })
  await clients[1]!.client.ofType('player.state_changed')

  t.equal((await app.inject('/stats')).statusCode, 401, 'stats are for operators: the admin token is required')
  const stats = await app.inject({ url: '/stats', headers: { authorization: 'Bearer admin-token-0123456789abcdef' } })
  t.same(stats.json(), { connectedUsers: 2, activeRooms: 1, viewersPerFilm: { 'film-42': 2 }, instanceConnections: 2 })
  const metrics = (await app.inject('/metrics')).body
  t.match(metrics, /realtime_connections\{protocol="room",service="realtime"\} 2/)
  t.match(metrics, /realtime_fanout_seconds_bucket/)
  t.match(metrics, /realtime_kafka_backlog/)
  t.match(metrics, /realtime_frames_in_total\{type="player.play"/)
})

t.test('shutdown closes sockets with 1001 and finishes their bookkeeping first', async (t) => {
  const config = testConfig()
  const app = await buildApp(config, { consumeLifecycle: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const roomId = randomUUID()
  const { client } = await TestClient.join(`ws://127.0.0.1:${port}`, roomId, { userId: 'a' })
  await app.close()
  t.equal((await client.closed).code, 1001)
  const redis = await testRedis(t)
  t.equal(await redis.hGet(roomKeys(config.REDIS_PREFIX, roomId).conns, 'a'), '0', 'the connection was counted out')
})

t.test('an announcement to everyone reaches every active room', async (t) => {
  const token = 'admin-token-0123456789abcdef'
  const config = testConfig({ ADMIN_TOKEN: token })
  const app = await buildApp(config, { consumeLifecycle: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const base = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const members = await Promise.all([randomUUID(), randomUUID()].map((roomId) => TestClient.join(base, roomId)))
  t.teardown(() => Promise.all(members.map(({ client }) => client.close())))
  const res = await app.inject({ method: 'POST', url: '/admin/announcements', headers: { authorization: `Bearer ${token}` }, payload: { text: 'Maintenance at noon' } })
  t.equal(res.statusCode, 202)
  t.same(res.json(), { rooms: 2 })
  for (const { client } of members) t.match(await client.ofType('announcement.sent'), { text: 'Maintenance at noon', scope: 'all' })
  const bad = await app.inject({ method: 'POST', url: '/admin/announcements', headers: { authorization: `Bearer ${token}` }, payload: { text: '' } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].code, 'VALIDATION_FAILED')
})

t.test('pnpm announce sends one to a room with the development token', async (t) => {
  const config = testConfig({ ADMIN_TOKEN: DEV_ADMIN_TOKEN })
  const app = await buildApp(config, { consumeLifecycle: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port
  const roomId = randomUUID()
  const { client } = await TestClient.join(`ws://127.0.0.1:${port}`, roomId)
  t.teardown(() => client.close())
  const script = fileURLToPath(new URL('../scripts/announce.ts', import.meta.url))
  const { ADMIN_TOKEN: _unset, ...env } = process.env
  const out = await run(process.execPath, ['--import', 'tsx', script, 'Intermission', '--room', roomId], { env: { ...env, REALTIME_URL: `http://127.0.0.1:${port}` } })
  t.equal(out.stdout.trim(), 'announced to 1 room')
  t.match(await client.ofType('announcement.sent'), { text: 'Intermission', scope: 'room' })
  const refused = await run(process.execPath, ['--import', 'tsx', script, 'x'], { env: { ...env, REALTIME_URL: `http://127.0.0.1:${port}`, ADMIN_TOKEN: 'wrong-token-0123456789' } }).catch((err: { code: number, stderr: string }) => err)
  t.match(refused, { code: 1, stderr: /announcement refused: 401/ }, 'a wrong token is refused and said so')
})
