// Two realtime instances serving one room through the same Redis; reconnecting to the other one resumes.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startApp, testConfig, TestClient } from './helpers.js'

const config = testConfig()
const one = await startApp(t, config)
const two = await startApp(t, { ...config, INSTANCE_ID: 'second' })

t.test('members on different instances see the same events in the same order', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(one.base, roomId, { userId: 'a', name: 'Ann' })
  const { client: b } = await TestClient.join(two.base, roomId, { userId: 'b', name: 'Bob' })
  const { client: c } = await TestClient.join(two.base, roomId, { userId: 'c', name: 'Cid' })
  t.teardown(() => Promise.all([a, b, c].map((x) => x.close())))
  t.match(await a.ofType('presence.joined'), { member: { userId: 'b', online: true } }, 'a sees b join on the other instance')

  // Commands from both instances, interleaved; chat in between.
  a.send({ type: 'player.replace_queue', version: 0, items: ['f1', 'f2'] })
  await a.ofType('player.state_changed')
  b.send({ type: 'player.play', version: 1 })
  a.send({ type: 'chat.send', clientMessageId: 'm1', text: 'hi from one' })
  c.send({ type: 'chat.send', clientMessageId: 'm2', text: 'hi from two' })
  b.send({ type: 'player.seek', version: 2, positionMs: 1000 })
  const sequences = await Promise.all([a, b, c].map(async (x) => {
    const seen: string[] = []
    while (seen.length < 4) {
      const f = await x.next((f) => ['player.state_changed', 'chat.message_sent'].includes(f.type) && !(f.type === 'player.state_changed' && f.state.version === 1))
      seen.push(`${f.seq}:${f.type}`)
    }
    return seen
  }))
  t.same(sequences[1], sequences[0], 'b saw what a saw, in the same order')
  t.same(sequences[2], sequences[0], 'c saw what a saw, in the same order')
  const seqs = sequences[0]!.map((s) => Number(s.split(':')[0]))
  t.same(seqs, [...seqs].sort((x, y) => x - y), 'in seq order')
})

t.test('a client reconnecting to the other instance resumes from its last seq', async (t) => {
  const roomId = randomUUID()
  const { client: a } = await TestClient.join(one.base, roomId, { userId: 'a' })
  const { client: b } = await TestClient.join(two.base, roomId, { userId: 'b' })
  t.teardown(() => a.close())
  a.send({ type: 'player.replace_queue', version: 0, items: ['f1'] })
  const last = await b.ofType('player.state_changed')
  await b.close()
  await a.ofType('presence.left')

  // While b is away: a chat message and a play.
  a.send({ type: 'chat.send', clientMessageId: 'while-away', text: 'you missed this' })
  await a.ofType('chat.message_sent')
  a.send({ type: 'player.play', version: 1 })
  await a.ofType('player.state_changed')

  const back = await TestClient.join(one.base, roomId, { userId: 'b' }, `&since=${last.seq}`)
  t.teardown(() => back.client.close())
  t.equal(back.ready.resumed, true)
  t.equal(back.ready.state.version, 2, 'the ready frame holds the current state')
  const missed = [
    await back.client.ofType('presence.left'),
    await back.client.ofType('chat.message_sent'),
    await back.client.ofType('player.state_changed')
  ]
  t.equal(missed[1]!.message.text, 'you missed this')
  t.ok(missed.every((f) => f.seq > last.seq && f.seq <= back.ready.seq), 'only what was missed')
  t.match(await back.client.ofType('presence.joined'), { member: { userId: 'b' } }, 'then live frames')

  const tooOld = await TestClient.join(two.base, roomId, { userId: 'c' }, '&since=999999')
  t.teardown(() => tooOld.client.close())
  t.equal(tooOld.ready.resumed, false, 'an unknown seq gets a full snapshot')
  t.equal(tooOld.ready.chat.length, 1, 'with the recent chat')
})
