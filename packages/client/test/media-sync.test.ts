// attach() against the real realtime service: the media follows the room, and its own
// corrections never turn into room commands; the user's actions do.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { SimulatedMedia } from '../sim/simulated-media.js'
import { attach, type StateChange } from '../src/index.js'
import { roomClient, startRealtime } from './helpers.js'

const { base } = await startRealtime(t)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('attach() follows the room and ignores its own corrections', async (t) => {
  const roomId = randomUUID()
  // The viewer's device clock is 3 s off; its media seeks and starts with some latency.
  const viewer = roomClient(t, base, roomId, { userId: 'viewer' }, { now: () => Date.now() + 3000 })
  const host = roomClient(t, base, roomId, { userId: 'host' })
  await viewer.connect()
  await host.connect()
  const media = new SimulatedMedia({ seekLatencyMs: 40, startLatencyMs: 25, skewPpm: 300 })
  const sync = attach(viewer, media, { tickMs: 50 })
  t.teardown(() => sync.detach())
  const changes: StateChange[] = []
  viewer.on('state', (_s, change) => { if (change) changes.push(change) })

  const drift = () => Math.abs(media.currentTime * 1000 - (viewer.position() ?? NaN))
  await host.replaceQueue(['film'])
  await host.play(200)
  await waitFor('playing in step', () => !media.paused && drift() < 100)
  await host.seek(90_000, 200)
  await waitFor('followed the seek', () => media.currentTime > 89 && drift() < 100)
  await host.pause()
  await waitFor('paused where the room paused', () => media.paused && drift() < 50)
  await host.play(100)
  await waitFor('playing again', () => !media.paused && drift() < 100)
  await sleep(500)

  t.same(changes.map((c) => c.actor?.userId), ['host', 'host', 'host', 'host', 'host'], 'every room change came from the host')
  t.equal(sync.stats.userCommands, 0, 'the sync sent nothing of its own')
  t.ok(sync.stats.ignoredOwnEvents >= 4, `its own media events were recognised (${JSON.stringify(sync.stats)})`)

  // Now the viewer really seeks: that one is a command.
  media.userSeek(300_000)
  // The seek aims where the media will be when the server applies it: at most a round trip ahead.
  const near = (ms?: number) => ms !== undefined && ms >= 300_000 && ms < 301_000
  await waitFor('the room followed the viewer', () => near(viewer.state?.positionMs) && near(host.state?.positionMs))
  t.equal(changes.at(-1)?.actor?.userId, 'viewer')
  t.equal(sync.stats.userCommands, 1)
})

t.test('after a reconnect the media is put back on the room\'s timeline', async (t) => {
  const roomId = randomUUID()
  const viewer = roomClient(t, base, roomId, { userId: 'v2' })
  const host = roomClient(t, base, roomId, { userId: 'h2' })
  await viewer.connect()
  await host.connect()
  const media = new SimulatedMedia({ seekLatencyMs: 20 })
  const sync = attach(viewer, media, { tickMs: 50 })
  t.teardown(() => sync.detach())
  await host.replaceQueue(['film'])
  await host.play()
  await waitFor('playing', () => !media.paused)
  // The reconnect waits for its ticket until the host has seeked: the viewer misses the command.
  let release = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const opts = (viewer as unknown as { opts: { ticket: () => Promise<string> } }).opts
  const fresh = opts.ticket
  opts.ticket = async () => { await gate; return await fresh() }
  const away = new Promise((resolve) => viewer.once('connection', resolve))
  viewer.drop()
  await away
  await host.seek(40_000)
  release()
  await waitFor('back and in step', () => viewer.status === 'open' && media.currentTime > 39.9 && Math.abs(media.currentTime * 1000 - viewer.position()!) < 100)
  t.equal(sync.stats.userCommands, 0)
})
