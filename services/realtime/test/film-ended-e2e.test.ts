// End to end, room-api and realtime together (in-process, their own schema, topic, groups and key
// prefix): two members' players run to the end of the room's film → their SDKs report it →
// realtime publishes player.ended → room-api closes the room (film_ended) → room.closed reaches
// realtime → the members get room.closed and their sockets close with 4010.
import { createAdmin } from '@watch-together/kafka'
import { stack, uniqueName, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { WebSocket } from 'ws'
import { EndingMedia } from '../../../packages/client/sim/ending-media.js'
import { attach, RoomClient, type WebSocketConstructor } from '../../../packages/client/src/index.js'
import { buildTestApp } from '../../room-api/test/helpers/app.js'
import { startApp, testConfig } from './helpers.js'

const topic = uniqueName('film_ended_e2e')
// A small topic, deleted afterwards: partitions left behind slow the broker's restarts in the fault tests.
const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'film-ended-e2e' })
await admin.connect()
await admin.ensureTopics([{ topic, partitions: 3 }])
t.teardown(async () => {
  await admin.deleteTopics([topic]).catch(() => {})
  await admin.disconnect()
})

const TICKET_SECRET = 'film-ended-e2e-ticket-secret-0123456789'
// Only the members' reports end the film here (the server's own fallback is far away).
const realtime = await startApp(t, testConfig({ KAFKA_TOPIC: topic, TICKET_SECRET, END_FALLBACK_MS: '600000' }), { consumeLifecycle: true })
const roomApi = await buildTestApp(t, { KAFKA_CONSUME: 'true', TICKET_SECRET }, { topic })

t.test('a room played to the end of its film closes with reason film_ended', async (t) => {
  const host = await roomApi.user('Host')
  const guest = await roomApi.user('Guest')
  const created = await host.call('POST', '/api/v1/rooms', { filmId: 'sintel' })
  t.equal(created.statusCode, 201, 'room created')
  const roomId: string = created.json().room.id
  t.equal((await guest.call('POST', `/api/v1/rooms/${roomId}/join`)).statusCode, 200)
  const duration = (await roomApi.app.pg.query('SELECT duration_sec FROM films WHERE id = $1', ['sintel'])).rows[0].duration_sec * 1000

  const clients = [host, guest].map((user) => {
    const client = new RoomClient({
      url: realtime.base,
      roomId,
      // Real tickets from room-api: they carry the film and its length.
      ticket: async () => (await user.call('POST', `/api/v1/rooms/${roomId}/ticket`)).json().ticket,
      WebSocket: WebSocket as unknown as WebSocketConstructor
    })
    t.teardown(() => client.close())
    return client
  })
  const closedReasons = clients.map((client) => new Promise<string>((resolve) => client.on('roomClosed', resolve)))
  const socketsClosed = clients.map((client) => new Promise<number | undefined>((resolve) =>
    client.on('connection', (status, info) => { if (status === 'closed') resolve(info.code) })))
  await Promise.all(clients.map((c) => c.connect()))
  const medias = clients.map(() => new EndingMedia({ durationMs: duration }))
  const syncs = clients.map((client, i) => attach(client, medias[i]!, { tickMs: 50 }))
  t.teardown(() => { for (const s of syncs) s.detach(); for (const m of medias) m.stop() })

  const [hostClient] = clients
  await hostClient!.replaceQueue(['sintel'])
  await hostClient!.seek(duration - 1500)
  await hostClient!.play(100)

  t.same(await Promise.all(closedReasons), ['film_ended', 'film_ended'], 'both members were told the film ended the room')
  t.same(await Promise.all(socketsClosed), [4010, 4010], 'their sockets closed: room closed')
  const row = (await roomApi.app.pg.query('SELECT status, close_reason FROM rooms WHERE id = $1', [roomId])).rows[0]
  t.same(row, { status: 'closed', close_reason: 'film_ended' })
  // The first media to end reports it; the other may get the room's paused-at-end state a moment
  // before its own end arrives (then it never plays to its end), so only one is certain.
  t.ok(medias.some((m) => m.ended), 'a player reached the end (and reported it)')
  const details = await waitFor('room-api to show the room closed', async () => {
    const res = await guest.call('GET', `/api/v1/rooms/${roomId}`)
    return res.json().room?.status === 'closed' && res.json().room
  })
  t.equal(details.status, 'closed')
})
