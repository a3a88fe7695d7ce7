// The original multi-device protocol (seeds/000), step by step as the document's scenario goes.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startApp, testConfig, TestClient, ticket } from './helpers.js'
import { readTopic, waitForEvents } from './kafka-read.js'

const config = testConfig()
const { app, base } = await startApp(t, config)

async function device (userId: string) {
  return new TestClient(`${base}/sync-player/ws?ticket=${await ticket(randomUUID(), { userId })}`)
}

t.test('the scenario of the original document', async (t) => {
  const user = `listener-${randomUUID()}`
  // First connect from the browser: no state yet.
  const browser = await device(user)
  t.teardown(() => browser.close())
  t.same(await browser.next(() => true), { type_push_state: 'no_track_state' })
  // Until there is a queue, only new_tracks_queue is valid.
  browser.send({ type_push_state: 'on_pause', data: { time_state_update: 1234570 } })
  t.same(await browser.next(() => true), { type_push_state: 'no_track_state' })
  // The queue, with fields at the top level (the scenario's shape).
  const queue = { type_push_state: 'new_tracks_queue', tracks_queue: [5, 8, 14, 7], queue_position: 0, time_state_update: 1234567 }
  browser.send(queue)
  browser.send({ type_push_state: 'get_player_state' })
  t.match(await browser.next(() => true), { tracks_queue: [5, 8, 14, 7] }, 'stored')

  // Ten seconds later the phone connects and gets the stored state.
  const phone = await device(user)
  t.teardown(() => phone.close())
  t.same(await phone.next(() => true), {
    tracks_queue: [5, 8, 14, 7], queue_position: 0, on_pause: false, last_sec_position: 0, time_state_update: 1234567
  })
  // The phone pauses 10 s after the start: the position is computed from the two times; the browser gets the message as sent.
  const pause = { type_push_state: 'on_pause', time_state_update: 1234577 }
  phone.send(pause)
  t.same(await browser.next(() => true), pause, 'relayed unchanged to the other device')
  phone.send({ type_push_state: 'get_player_state' })
  t.match(await phone.next(() => true), { on_pause: true, last_sec_position: 10, time_state_update: 1234577 })

  // Adding a track, fields under `data` (the other shape): appended, relayed.
  const push = { type_push_state: 'push_track', data: { tracks_queue: [2] } }
  browser.send(push)
  t.same(await phone.next(() => true), push)
  browser.send({ type_push_state: 'get_player_state' })
  t.same(await browser.next(() => true), {
    tracks_queue: [5, 8, 14, 7, 2], queue_position: 0, on_pause: true, last_sec_position: 10, time_state_update: 1234577
  })

  // The rest of the updates.
  phone.send({ type_push_state: 'off_pause', data: { time_state_update: 1234600 } })
  t.equal((await browser.next(() => true)).type_push_state, 'off_pause')
  phone.send({ type_push_state: 'change_position', last_sec_position: 84, time_state_update: 1234601 })
  t.equal((await browser.next(() => true)).type_push_state, 'change_position')
  phone.send({ type_push_state: 'new_track', data: { queue_position: 2, time_state_update: 1234700 } })
  t.equal((await browser.next(() => true)).type_push_state, 'new_track')
  phone.send({ type_push_state: 'get_player_state' })
  t.same(await phone.next(() => true), {
    tracks_queue: [5, 8, 14, 7, 2], queue_position: 2, on_pause: false, last_sec_position: 0, time_state_update: 1234700
  })
})

t.test('invalid messages get invalid_format and the socket stays open', async (t) => {
  const phone = await device(`u-${randomUUID()}`)
  t.teardown(() => phone.close())
  await phone.next(() => true)
  for (const bad of ['not json', '[]', '{"type_push_state":"dance"}', '{"type_push_state":"on_pause"}',
    '{"type_push_state":"change_position","last_sec_position":"far","time_state_update":1}',
    '{"type_push_state":"push_track","data":[1]}']) {
    phone.send(bad)
    t.same(await phone.next(() => true), { type_push_state: 'invalid_format' }, bad)
  }
  phone.send({ type_push_state: 'get_player_state' })
  t.same(await phone.next(() => true), { type_push_state: 'no_track_state' }, 'still open')
})

t.test('a bad ticket closes the socket', async (t) => {
  const stranger = new TestClient(`${base}/sync-player/ws?ticket=nope`)
  t.equal((await stranger.closed).code, 4001)
})

t.test('devices on different instances get each other\'s updates', async (t) => {
  const other = await startApp(t, { ...config, INSTANCE_ID: 'other' })
  const user = `u-${randomUUID()}`
  const tv = await device(user)
  t.teardown(() => tv.close())
  t.same(await tv.next(() => true), { type_push_state: 'no_track_state' })
  const laptop = new TestClient(`${other.base}/sync-player/ws?ticket=${await ticket(randomUUID(), { userId: user })}`)
  t.teardown(() => laptop.close())
  t.same(await laptop.next(() => true), { type_push_state: 'no_track_state' })
  const queue = { type_push_state: 'new_tracks_queue', data: { tracks_queue: ['a', 'b'], queue_position: 1, time_state_update: 10 } }
  laptop.send(queue)
  t.same(await tv.next(() => true), queue, 'relayed across instances')
})

t.test('every accepted state change reaches Kafka as device.state_changed, keyed by the user, in order', async (t) => {
  await app.kafka.connected
  const read = await readTopic(config.KAFKA_TOPIC)
  t.teardown(() => read.stop())
  const user = `listener-${randomUUID()}`
  const phone = await device(user)
  t.teardown(() => phone.close())
  await phone.next(() => true)
  phone.send({ type_push_state: 'new_tracks_queue', tracks_queue: [1, 2], queue_position: 0, time_state_update: 100 })
  phone.send({ type_push_state: 'on_pause', time_state_update: 105 })
  phone.send({ type_push_state: 'new_track', queue_position: 5, time_state_update: 106 }) // out of range: refused, no event
  phone.send({ type_push_state: 'off_pause', time_state_update: 110 })
  phone.send({ type_push_state: 'get_player_state' })
  await phone.next((f) => Array.isArray(f.tracks_queue))
  const mine = () => read.events.filter((e) => e.userId === user)
  await waitForEvents(read, 'the device events', () => mine().length >= 3, undefined, [app])
  t.match(mine(), [
    { type: 'device.state_changed', roomId: null, key: `user:${user}`, seq: 1, payload: { message: 'new_tracks_queue', state: { tracks_queue: [1, 2], on_pause: false } } },
    { seq: 2, payload: { message: 'on_pause', state: { on_pause: true, last_sec_position: 5 } } },
    { seq: 3, payload: { message: 'off_pause', state: { on_pause: false } } }
  ], 'one event per accepted change, user-scoped, numbered per user')
  t.equal(mine().length, 3, 'the refused message made none')
})
