// An instance serving hundreds of rooms loses its pub/sub connection (a Redis restart, killed here):
// node-redis re-subscribes one SSUBSCRIBE per room channel before it calls the connection ready, and
// a batch larger than one socket buffer (~16 KiB, some 200 room channels) stopped half-written, the
// client never ready, the rooms past the cut silent on this instance until their sockets reconnected
// (the chaos soak's leaves that closed no socket and chats acknowledged minutes late). node-redis is
// patched (patches/@redis__client@6.3.1.patch); this fails without the patch. Then the hub's probes
// (subscription-check.ts) find every room subscription alive.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import type { Conn } from '../src/rooms/hub.js'
import { killSubscribers, nodeClients, startApp, testConfig } from './helpers.js'

const ROOMS = 500
t.setTimeout(120_000)
const config = testConfig({ SUBSCRIPTION_CHECK_MS: '0' })
const { app } = await startApp(t, config)
const admins = await nodeClients()
t.teardown(() => Promise.all(admins.map(async (a) => await a.close())))

/** A socket as the hub sees one, counting what reaches it. */
function conn (roomId: string, got: Map<string, number>): Conn {
  const send = () => { got.set(roomId, (got.get(roomId) ?? 0) + 1) }
  return { id: randomUUID(), roomId, userId: 'u', lastSeq: 0, ready: true, pending: [], send, close: () => {} }
}

t.test('after the pub/sub connection drops, every one of hundreds of rooms is subscribed again', async (t) => {
  const got = new Map<string, number>()
  const rooms = Array.from({ length: ROOMS }, () => randomUUID())
  const conns = rooms.map((roomId) => conn(roomId, got))
  for (const c of conns) await app.roomHub.add(c)
  t.teardown(() => { for (const c of conns) app.roomHub.remove(c) })
  t.equal(await app.roomHub.checkSubscriptions(), 0, 'all rooms subscribed before')

  t.ok(await killSubscribers(admins, config.REDIS_PREFIX) > 0, 'killed the subscriber connection')
  // Probed only (nothing made again): node-redis must have re-subscribed every room itself.
  let silent: string[] = []
  await waitFor('every room subscribed again by node-redis', async () => (silent = await app.roomHub.silentRooms(2_000)).length === 0 || undefined, 60_000)
    .catch((err: Error) => { throw new Error(`${err.message}: ${silent.length} of ${ROOMS} rooms still silent`) })

  t.equal(await app.roomHub.checkSubscriptions(), 0, 'no room subscription silent after the reconnect')
  // And the rooms' own frames arrive through them.
  got.clear()
  const now = Date.now()
  await Promise.all(rooms.map(async (roomId) => await app.roomStore.emit(roomId, { frame: { type: 'announcement.sent', at: now, text: 'hello', scope: 'room' } })))
  await waitFor('a frame in every room', async () => rooms.every((r) => (got.get(r) ?? 0) > 0) || undefined, 30_000)
  t.pass(`all ${ROOMS} rooms got their frame`)
})

t.test('a room subscription lost without a word is found by its probe, made again, caught up, and its missed kick made up for', async (t) => {
  const got = new Map<string, number>()
  const roomId = randomUUID()
  const frames: string[] = []
  let closed: number | null = null
  const c: Conn = {
    ...conn(roomId, got),
    send: (frame) => { frames.push(String(frame)) },
    close: (code) => { closed = code }
  }
  await app.roomHub.add(c)
  t.teardown(() => app.roomHub.remove(c))
  // Dropped in node-redis and in Redis alike, the hub unaware: what a lost re-subscription leaves.
  await app.redisSubscriber.sUnsubscribe(app.roomStore.channelOf(roomId))
  const now = Date.now()
  await app.roomStore.emit(roomId, { frame: { type: 'announcement.sent', at: now, text: 'while silent', scope: 'room' } })
  await app.roomStore.recordLeft(roomId, 'u', 1, 'left')
  await app.roomHub.publishControl({ kind: 'kick', roomId, userId: 'u', code: 4012, reason: 'you left the room', endedAt: 1 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.notOk(frames.some((f) => f.includes('while silent')), 'nothing reached the room while its subscription was gone')
  t.equal(closed, null, 'nor the kick')

  t.equal(await app.roomHub.checkSubscriptions(), 1, 'the probe found the room silent')
  t.ok(frames.some((f) => f.includes('while silent')), 'the frame it missed came from the room stream')
  t.equal(closed, 4012, 'and the socket the lost kick would have closed is closed, with its code')
  await app.roomStore.emit(roomId, { frame: { type: 'announcement.sent', at: Date.now(), text: 'live again', scope: 'room' } })
  await waitFor('a live frame through the new subscription', async () => frames.some((f) => f.includes('live again')) || undefined, 10_000)
  t.equal(await app.roomHub.checkSubscriptions(), 0, 'and its probe comes back now')
})
