// The fast delivery path keeps order: a burst of chat messages (one emit script each, retry and rate checks
// folded in) and player commands, sent at once from members on two instances, reaches every member on
// both instances with gapless, increasing seqs and byte-identical frames (one Buffer per room frame); sockets
// joining during a burst (snapshot read right behind their announcement) go on from their snapshot without gap or repeat.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { WebSocket } from 'ws'
import { startApp, testConfig, ticket } from './helpers.js'

const config = testConfig({ CHAT_RATE_MAX: '1000' })
const one = await startApp(t, config)
const two = await startApp(t, { ...config, INSTANCE_ID: 'second' })

/** A raw client keeping every text frame as received (the bytes, not a parse of them). */
async function member (base: string, roomId: string, userId: string) {
  const socket = new WebSocket(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, { userId, name: userId })}`)
  const frames: string[] = []
  let binary = 0
  let ready!: () => void
  const isReady = new Promise<void>((resolve) => { ready = resolve })
  socket.on('message', (data, isBinary) => {
    if (isBinary) binary++
    const text = data.toString()
    if (text.startsWith('{"type":"session.ready"')) ready()
    else if (text.startsWith('{"seq":')) frames.push(text)
  })
  await isReady
  return { socket, frames, binary: () => binary, userId }
}

t.test('a burst from two instances arrives everywhere in one order, gapless, the same bytes', async (t) => {
  const roomId = randomUUID()
  const members = [
    await member(one.base, roomId, 'a1'), await member(one.base, roomId, 'a2'), await member(one.base, roomId, 'a3'),
    await member(two.base, roomId, 'b1'), await member(two.base, roomId, 'b2'), await member(two.base, roomId, 'b3')
  ]
  t.teardown(() => { for (const m of members) m.socket.close() })
  // Joins are room events too; the burst starts once everyone saw every join.
  const joined = (m: typeof members[number]) => m.frames.filter((f) => f.includes('"type":"presence.joined"')).length
  for (let i = 0; i < 300 && !members.every((m, k) => joined(m) >= members.length - 1 - k); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  const base = members.map((m) => m.frames.length)

  // 3 senders per instance, 20 messages each, all at once; every other one a seek (some go stale: refused to
  // their sender only, so they are no room event).
  const senders = [members[0]!, members[2]!, members[4]!, members[1]!, members[3]!, members[5]!]
  let chats = 0
  for (let n = 0; n < 20; n++) {
    for (const [i, s] of senders.entries()) {
      if ((n + i) % 2 === 0) { s.socket.send(JSON.stringify({ type: 'chat.send', clientMessageId: `${s.userId}-${n}`, text: `m ${s.userId} ${n}` })); chats++ } else s.socket.send(JSON.stringify({ type: 'player.seek', version: 0, positionMs: n * 1000 }))
    }
  }
  const chatCount = (m: typeof members[number]) => m.frames.slice(base[members.indexOf(m)]).filter((f) => f.includes('"type":"chat.message_sent"')).length
  for (let i = 0; i < 600 && !members.every((m) => chatCount(m) >= chats); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  await new Promise((resolve) => setTimeout(resolve, 300))

  const tails = members.map((m, k) => m.frames.slice(base[k]))
  for (const [k, frames] of tails.entries()) {
    t.equal(frames.filter((f) => f.includes('"type":"chat.message_sent"')).length, chats, `${members[k]!.userId} got every chat message`)
    const seqs = frames.map((f) => Number(/^\{"seq":(\d+),/.exec(f)![1]))
    t.ok(seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1), `${members[k]!.userId}: seqs increase without a gap`)
    t.equal(members[k]!.binary(), 0, `${members[k]!.userId}: every frame is a text frame`)
  }
  // The same frames, byte for byte, in the same order, on both instances.
  const first = tails[0]!
  const last = Math.min(...tails.map((f) => f.length))
  for (const [k, frames] of tails.entries()) t.same(frames.slice(0, last), first.slice(0, last), `${members[k]!.userId} saw what a1 saw`)
  t.ok(last >= chats, 'the burst was compared')
})

t.test('sockets joining on both instances during a burst go on from their snapshot: no gap, no repeat, the same bytes', async (t) => {
  const roomId = randomUUID()
  const observer = await member(one.base, roomId, 'o1')
  const senders = [observer, await member(two.base, roomId, 'o2')]
  t.teardown(() => { for (const m of senders) m.socket.close() })
  const before = observer.frames.length

  /** A socket that keeps the seq of its session.ready and the room frames after it. */
  async function joiner (base: string, userId: string) {
    const socket = new WebSocket(`${base}/rooms/${roomId}/ws?ticket=${await ticket(roomId, { userId, name: userId })}`)
    const frames: string[] = []
    let readySeq = -1
    await new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const text = data.toString()
        if (text.startsWith('{"type":"session.ready"')) { readySeq = (JSON.parse(text) as { seq: number }).seq; resolve() } else if (text.startsWith('{"seq":')) frames.push(text)
      })
    })
    t.teardown(() => socket.close())
    return { userId, frames, readySeq }
  }

  // 30 chat messages from each instance, sent while four sockets (two per instance) join.
  let chats = 0
  const burst = (async () => {
    for (let n = 0; n < 30; n++) {
      for (const s of senders) { s.socket.send(JSON.stringify({ type: 'chat.send', clientMessageId: `${s.userId}-${n}`, text: `m ${s.userId} ${n}` })); chats++ }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  const joiners = await Promise.all([joiner(one.base, 'j1'), joiner(two.base, 'j2'), joiner(one.base, 'j3'), joiner(two.base, 'j4')])
  await burst
  const seqOf = (f: string) => Number(/^\{"seq":(\d+),/.exec(f)![1])
  const seen = () => observer.frames.slice(before).filter((f) => f.includes('"type":"chat.message_sent"')).length
  for (let i = 0; i < 600 && seen() < chats; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  const last = seqOf(observer.frames.at(-1)!)
  for (let i = 0; i < 600 && !joiners.every((j) => j.frames.length > 0 && seqOf(j.frames.at(-1)!) >= last); i++) await new Promise((resolve) => setTimeout(resolve, 50))

  t.equal(seen(), chats, 'the observer got every chat message')
  for (const j of joiners) {
    t.ok(j.readySeq > 0, `${j.userId} got a snapshot`)
    // From its snapshot on, a joiner gets exactly the room's frames after that seq (the observer's, byte for byte).
    const expected = observer.frames.filter((f) => seqOf(f) > j.readySeq)
    t.same(j.frames.filter((f) => seqOf(f) <= last), expected, `${j.userId} went on from seq ${j.readySeq} with every later frame, once, in order`)
  }
})
