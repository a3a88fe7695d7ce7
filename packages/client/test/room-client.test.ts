// The SDK against the real realtime service: commands, versions, reconnect and resume, clock sync.
import { randomUUID } from 'node:crypto'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { RoomError } from '../src/index.js'
import { roomClient, startRealtime, ticket } from './helpers.js'

const { base } = await startRealtime(t)

t.test('commands as methods: versions are filled in, every client sees the same state', async (t) => {
  const roomId = randomUUID()
  const a = roomClient(t, base, roomId, { userId: 'ann', name: 'Ann' })
  const b = roomClient(t, base, roomId, { userId: 'bob', name: 'Bob' })
  const readyA = await a.connect()
  await b.connect()
  t.equal(readyA.state.version, 0)
  let s = await a.replaceQueue(['film-1', 'film-2'])
  t.match(s, { version: 1, itemId: 'film-1' })
  s = await b.play(100)
  t.match(s, { version: 2, playing: true, leaderId: 'bob' })
  s = await a.seek(60_000)
  t.match(s, { version: 3, positionMs: 60_000 })
  await waitFor('b sees version 3', () => b.state?.version === 3)
  s = await b.next()
  t.match(s, { version: 4, itemId: 'film-2', positionMs: 0 })
  await waitFor('both at version 4', () => a.state?.version === 4 && b.state?.version === 4)
  t.same(a.state, b.state, 'the same state everywhere')
  await t.rejects(b.next(), { code: 'RT_INVALID_INDEX' }, 'a refused command rejects with the server\'s code')
  await waitFor('presence of both', () => a.members.get('bob')?.online && b.members.get('ann')?.online)
})

t.test('a stale version refreshes the state; absolute commands are retried, relative ones are not', async (t) => {
  const roomId = randomUUID()
  const a = roomClient(t, base, roomId)
  const b = roomClient(t, base, roomId)
  await a.connect()
  await b.connect()
  await a.replaceQueue(['x', 'y', 'z'])
  await waitFor('b sees version 1', () => b.state?.version === 1)
  // b misses the next change in its own view (as if the frame were still in flight).
  const old = b.state!
  await a.seek(5000)
  await waitFor('b sees version 2', () => b.state?.version === 2)
  b.state = old
  const paused = await b.pause()
  t.match(paused, { version: 3, playing: false, positionMs: 5000 }, 'pause was retried on the fresh state')

  b.state = { ...b.state!, version: 1 }
  const err = await b.next().catch((e: unknown) => e)
  t.ok(err instanceof RoomError)
  t.match(err, { code: 'RT_STALE_VERSION', state: { version: 3 } }, 'next is not retried: it might skip twice')
  t.equal(b.state!.version, 3, 'but the state was refreshed from the rejection')
})

t.test('reconnect and resume: missed events arrive once, in order, with a fresh ticket', async (t) => {
  const roomId = randomUUID()
  let tickets = 0
  // The ticket provider holds the reconnect until the test lets it go: a is surely away meanwhile.
  let release = () => {}
  let gate: Promise<void> = Promise.resolve()
  const a = roomClient(t, base, roomId, { userId: 'a' }, {
    ticket: async () => { tickets++; await gate; return await ticket(roomId, { userId: 'a' }) }
  })
  const b = roomClient(t, base, roomId, { userId: 'b' })
  await a.connect()
  await b.connect()
  await b.replaceQueue(['m'])
  await waitFor('a at version 1', () => a.state?.version === 1)
  const chats: string[] = []
  a.on('chat', (m) => chats.push(m.text))
  const statuses: string[] = []
  a.on('connection', (status) => statuses.push(status))

  gate = new Promise((resolve) => { release = resolve })
  const away = new Promise((resolve) => a.once('connection', resolve))
  a.drop()
  await away
  t.equal(a.status, 'reconnecting')
  await t.rejects(a.pause(), { code: 'WT_NOT_CONNECTED' }, 'commands fail at once while away')
  // While a is away: chat and a player change.
  b.sendChat('one')
  b.sendChat('two')
  await b.play()
  await waitFor('b saw its chat', () => b.chat.length === 2)
  const resumed = new Promise<boolean>((resolve) => a.once('ready', (f) => resolve(f.resumed)))
  release()
  t.ok(await resumed, 'the server honoured since')
  await waitFor('a caught up', () => a.state?.version === 2 && chats.length >= 2)
  t.same(chats, ['one', 'two'], 'each missed message exactly once, in order')
  t.equal(a.status, 'open')
  t.same(statuses.filter((s, i) => s !== statuses[i - 1]), ['reconnecting', 'open'])
  t.equal(tickets, 2, 'a fresh ticket for the reconnect')
  b.sendChat('three')
  await waitFor('live again', () => chats.length === 3)
})

t.test('clock sync: a client clock 5 s off still reads server time within the error bound', async (t) => {
  const roomId = randomUUID()
  const offset = -4_900
  const a = roomClient(t, base, roomId, {}, { now: () => Date.now() + offset })
  await a.connect()
  await waitFor('clock burst done', () => !a.clock.needsSample(a.now()))
  const error = Math.abs(a.serverNow() - Date.now())
  const bound = a.clock.errorBound()!
  t.ok(error <= bound + 2, `error ${error} ms within the bound ${bound} ms (+ 2 ms of integer clocks)`)
})

t.test('a static ticket that is refused closes for good', async (t) => {
  const a = roomClient(t, base, randomUUID(), {}, { ticket: 'not-a-jwt' })
  await t.rejects(a.connect(), { code: 'WT_CLOSED' })
  t.equal(a.status, 'closed')
  await t.rejects(a.play(), { code: 'WT_NOT_CONNECTED' })
})

t.test('a socket that cannot even be opened closes with an error instead of hanging', async (t) => {
  const a = roomClient(t, 'not a url', randomUUID())
  const errors: string[] = []
  a.on('error', (e) => errors.push(e.code))
  await t.rejects(a.connect(), { code: 'WT_CLOSED' })
  t.same(errors, ['WT_CLOSED'])
})
