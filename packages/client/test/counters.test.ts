// Counters and announcements against the real realtime service: room.counters reach every client,
// "playing now" follows reportPlaying, and a reconnected client is counted again (the server forgets a
// member's report with their last connection; the SDK tells it again).
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import type { Announcement } from '../src/index.js'
import { roomClient, startApp, testConfig } from './helpers.js'

const ADMIN_TOKEN = 'client-test-admin-token-0123456789'
const { base, http } = await startApp(t, testConfig({ COUNTERS_INTERVAL_MS: '100', ADMIN_TOKEN }))

t.test('counters, playing now and announcements between two clients', async (t) => {
  const roomId = randomUUID()
  // Ann reconnects slowly, so her absence lasts a few counter ticks (whatever the machine's load).
  const ann = roomClient(t, base, roomId, { userId: 'ann', name: 'Ann' }, { reconnect: { initialDelayMs: 2000, maxDelayMs: 2000, jitter: 0 } })
  const bob = roomClient(t, base, roomId, { userId: 'bob', name: 'Bob' })
  await ann.connect()
  await bob.connect()
  const room = () => [ann.counters?.room, bob.counters?.room]
  await waitFor('both see two online', () => ann.counters?.room.online === 2 && bob.counters?.room.online === 2)
  t.same(room(), [{ online: 2, playing: 0, buffering: 0 }, { online: 2, playing: 0, buffering: 0 }])
  // The service-wide count is updated just after the room's: it may lag one tick behind.
  await waitFor('users connected anywhere', () => (ann.counters?.service.connectedUsers ?? 0) >= 2)

  ann.reportPlaying(true)
  bob.reportPlaying(true)
  await waitFor('two playing', () => ann.counters?.room.playing === 2 && bob.counters?.room.playing === 2)
  bob.reportPlaying(false)
  await waitFor('one playing', () => ann.counters?.room.playing === 1 && bob.counters?.room.playing === 1)

  // Ann's connection drops: the server forgets her report with it; the SDK tells it again on the new session.
  ann.drop()
  await waitFor('ann not counted while away', () => bob.counters?.room.online === 1 && bob.counters.room.playing === 0)
  await waitFor('ann back', () => ann.status === 'open')
  await waitFor('counted again after the reconnect', () => bob.counters?.room.online === 2 && bob.counters.room.playing === 1)

  // An operator's announcement reaches both, once; counters in between did not disturb the room's seq.
  const told: Announcement[] = []
  ann.on('announcement', (a) => told.push(a))
  bob.on('announcement', (a) => told.push(a))
  const res = await fetch(`${http}/admin/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Intermission', roomId })
  })
  t.equal(res.status, 202)
  await waitFor('both told', () => told.length === 2)
  t.match(told, [{ text: 'Intermission', scope: 'room', seq: Number }, { text: 'Intermission', scope: 'room', seq: Number }])
  t.equal(told[0]!.seq, told[1]!.seq, 'the same room event')
})
