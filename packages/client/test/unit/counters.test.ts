// Live counters, announcements and "playing now" in the SDK, with a scripted socket: room.counters is
// not a room event (no seq, the resume point stays), reportPlaying is deduplicated and told again after
// a reconnect, and attach() reports its media's starts and stops without flickering on its own cues.
import type { PlayerState } from '@watch-together/protocol'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { SimulatedMedia } from '../../sim/simulated-media.js'
import { type Announcement, attach, type RoomCounters } from '../../src/index.js'
import { fakeClient, type FakeSocket, pausedFilm, sessionReady } from '../fake-socket.js'

const ready = sessionReady
const paused = pausedFilm
const counters = (online: number, playing: number, buffering = 0): RoomCounters & { type: 'room.counters' } =>
  ({ type: 'room.counters', room: { online, playing, buffering }, service: { connectedUsers: 120, activeRooms: 31, filmViewers: 9 } })
const announcement = (seq: number, text: string, scope: 'room' | 'all' = 'room') => ({ type: 'announcement.sent', seq, at: 1000 + seq, text, scope })
/** The player.report_playing frames a socket carried, in order. */
const reports = (s: FakeSocket) => s.sent.filter((f) => f.type === 'player.report_playing').map((f) => f.playing as boolean)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('room.counters: client.counters and the counters event, never a room event', async (t) => {
  const { client, socket } = fakeClient(t)
  t.equal(client.counters, null, 'none before the server sends them')
  const connected = client.connect()
  const s1 = await socket(1)
  s1.serve(ready(5))
  await connected
  const seen: RoomCounters[] = []
  const told: Announcement[] = []
  client.on('counters', (c) => seen.push(c))
  client.on('announcement', (a) => told.push(a))

  s1.serve(counters(2, 0))
  t.same(client.counters, { room: { online: 2, playing: 0, buffering: 0 }, service: { connectedUsers: 120, activeRooms: 31, filmViewers: 9 } })
  s1.serve(announcement(6, 'Intermission', 'all'))
  s1.serve(counters(2, 1, 1))
  s1.serve({ type: 'room.counters', room: { online: -1, playing: 0, buffering: 0 }, service: { connectedUsers: 0, activeRooms: 0, filmViewers: 0 } })
  t.same(seen.map((c) => c.room), [{ online: 2, playing: 0, buffering: 0 }, { online: 2, playing: 1, buffering: 1 }], 'a malformed frame is ignored')
  t.same(client.counters?.room, { online: 2, playing: 1, buffering: 1 }, 'the latest')
  t.same(told, [{ text: 'Intermission', scope: 'all', at: 1006, seq: 6 }])

  // The resume point is the last room event's seq: counters in between do not move it.
  client.drop()
  const s2 = await socket(2)
  t.match(s2.url, /since=6$/, 'resumes after the announcement, whatever counters came after it')
  s2.serve(ready(8, { resumed: true }))
  s2.serve(announcement(6, 'Intermission', 'all')) // the overlap: already seen
  s2.serve(announcement(7, 'Back in 5 minutes'))
  s2.serve(counters(2, 2))
  t.same(told.map((a) => `${a.seq} ${a.text} (${a.scope})`), ['6 Intermission (all)', '7 Back in 5 minutes (room)'], 'a missed announcement is told once, a seen one not again')
  t.same(client.counters?.room.playing, 2)
  t.equal(client.status, 'open')
})

t.test('reportPlaying: sent when it changes, kept while disconnected, told again on the next session', async (t) => {
  const { client, socket } = fakeClient(t)
  client.reportPlaying(true) // before connecting: kept
  t.equal(client.reportsPlaying, true)
  const connected = client.connect()
  const s1 = await socket(1)
  t.same(reports(s1), [], 'nothing before the session is ready')
  s1.serve(ready(1))
  await connected
  t.same(reports(s1), [true], 'told once the session is ready')
  client.reportPlaying(true)
  client.reportPlaying(false)
  client.reportPlaying(false)
  client.reportPlaying(true)
  t.same(reports(s1), [true, false, true], 'only the changes')

  // A reconnect: the server forgot it with the last connection, so it is told again.
  client.drop()
  const s2 = await socket(2)
  s2.serve(ready(1))
  t.same(reports(s2), [true], 'playing again on the new session')
  t.equal(s2.sent.findIndex((f) => f.type === 'player.report_playing'), 0, 'before anything else the session sends')

  // Stopped while disconnected: the new session is told "not playing" (an old one may still count it).
  client.drop()
  const s3 = await socket(3)
  client.reportPlaying(false)
  t.same(reports(s3), [], 'not sent while reconnecting')
  s3.serve(ready(1))
  t.same(reports(s3), [false])

  // Not playing, and the server was told so: a new session says nothing.
  client.drop()
  const s4 = await socket(4)
  s4.serve(ready(1))
  t.same(reports(s4), [])
  client.close()
  client.reportPlaying(true) // closed for good: kept, never sent, no throw
  t.same(reports(s4), [])
})

t.test('attach() reports its media playing and stopping, not its own brief cues; again after a reconnect', async (t) => {
  const { client, socket } = fakeClient(t)
  const connected = client.connect()
  const s1 = await socket(1)
  const now = Date.now()
  s1.serve(ready(1, { state: { ...paused, playing: true, positionMs: 10_000, refAt: now } }))
  await connected
  const hidden = { value: false }
  const media = new SimulatedMedia({ seekLatencyMs: 30, startLatencyMs: 20 })
  const sync = attach(client, media, { tickMs: 20, isHidden: () => hidden.value })
  t.teardown(() => sync.detach())
  let seq = 1
  let version = 1
  const room = (patch: Partial<PlayerState>, command: 'play' | 'pause' | 'seek') => {
    const state = { ...client.state!, ...patch, refAt: Date.now(), version: ++version }
    s1.serve({ type: 'player.state_changed', seq: ++seq, at: Date.now(), command, actor: { userId: 'host', name: 'Host' }, state })
  }

  await waitFor('playing reported', () => reports(s1).length === 1)
  t.same(reports(s1), [true])

  // A room seek while playing: the sync cues (pause, seek, start on an instant). Not a stop.
  const plays = media.log.filter((e) => e === 'play').length
  room({ positionMs: 40_000 }, 'seek')
  await waitFor('started again after the cue', () => media.log.filter((e) => e === 'play').length > plays && !media.paused)
  await sleep(800)
  t.same(reports(s1), [true], 'the cue\'s brief stop is not reported')

  // The room pauses: a stop, told once it held.
  room({ playing: false, positionMs: 41_000 }, 'pause')
  await waitFor('stop reported', () => reports(s1).length === 2)
  t.same(reports(s1), [true, false])
  room({ playing: true, positionMs: 41_000 }, 'play')
  await waitFor('start reported', () => reports(s1).length === 3)

  // A stall: the frames stop (the room counts it under buffering), then move again.
  media.stall(1200)
  await waitFor('stall over', () => reports(s1).length === 5, 5000)
  t.same(reports(s1), [true, false, true, false, true], 'buffering is not playing')

  // The browser pauses a hidden tab: not a room command, but this player no longer plays.
  hidden.value = true
  media.pause()
  await waitFor('hidden stop reported', () => reports(s1).length === 6)
  t.same(s1.sent.filter((f) => f.type.startsWith('player.') && f.type !== 'player.report_playing'), [], 'no room command from any of it')
  hidden.value = false
  await waitFor('plays again once visible', () => reports(s1).length === 7)

  // A reconnect while playing: told again on the new session.
  client.drop()
  const s2 = await socket(2)
  s2.serve(ready(seq, { resumed: true, state: client.state }))
  t.same(reports(s2), [true])

  // Detached: the player is no longer the room's.
  sync.detach()
  t.same(reports(s2), [true, false])
  t.equal(client.reportsPlaying, false)
})
