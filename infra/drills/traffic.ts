// Steady simulated traffic for the drills: rooms made through room-api (sign-in, create, join, ticket), members
// on both realtime instances, one chat message per room per second and a seek every few seconds. Members
// reconnect by themselves (to the next instance, with `since`), resend unacknowledged messages with the same
// clientMessageId (the server dedupes), and record what a user would see: errors, closes, reconnect times.
import { WebSocket } from 'ws'
import { sleep } from './services.js'

export interface TrafficStats {
  rooms: number
  members: number
  chatSent: number
  chatAcked: number
  clientErrors: Record<string, number>
  closes: Record<string, number>
  reconnectMs: number[]
  apiErrors: Record<string, number>
  /** The longest a member went without a frame while traffic ran (every room sends about one a second). */
  maxPauseMs: number
  /** Room frames a member got with a seq at or below one it already had: out of order or repeated. */
  outOfOrder: number
}

interface Sent { clientMessageId: string, text: string, ackedAs?: string }

class Member {
  socket: WebSocket | undefined
  lastSeq = 0
  version = 0
  closedAt: number | undefined
  lastFrameAt: number | undefined
  stopped = false
  instance: number
  readonly pending = new Map<string, Sent>()

  constructor (readonly room: SimRoom, readonly ticket: string, readonly wsBases: string[], first: number, readonly stats: TrafficStats) {
    this.instance = first
  }

  connect (): Promise<void> {
    return new Promise((resolve) => {
      const since = this.lastSeq > 0 ? `&since=${this.lastSeq}` : ''
      const socket = new WebSocket(`${this.wsBases[this.instance]}/rooms/${this.room.id}/ws?ticket=${this.ticket}${since}`)
      this.socket = socket
      let ready = false
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString())
        const now = Date.now()
        if (this.lastFrameAt !== undefined && this.room.sim.running) this.stats.maxPauseMs = Math.max(this.stats.maxPauseMs, now - this.lastFrameAt)
        this.lastFrameAt = now
        // The stored frame a resent chat message gets back (its first attempt was stored) is not out of order.
        const repeatAck = frame.type === 'chat.message_sent' && this.room.acked.has(frame.message?.clientMessageId)
        if (typeof frame.seq === 'number' && frame.type !== 'session.ready' && !repeatAck && frame.seq <= this.lastSeq) this.stats.outOfOrder++
        // A resumed session.ready names the room's latest seq, and the frames missed since `since` follow it:
        // they are in order, so only a full snapshot moves this member's seq forward.
        const resumedReady = frame.type === 'session.ready' && frame.resumed === true
        if (typeof frame.seq === 'number' && !resumedReady) this.lastSeq = Math.max(this.lastSeq, frame.seq)
        if (frame.state?.version !== undefined) this.version = Math.max(this.version, frame.state.version)
        if (frame.type === 'session.ready') {
          ready = true
          if (this.closedAt !== undefined) this.stats.reconnectMs.push(Date.now() - this.closedAt)
          this.closedAt = undefined
          for (const sent of this.pending.values()) this.send({ type: 'chat.send', clientMessageId: sent.clientMessageId, text: sent.text, ref: sent.clientMessageId })
          resolve()
        } else if (frame.type === 'chat.message_sent' && this.pending.has(frame.message.clientMessageId) && frame.message.userId === this.room.userOf(this)) {
          this.pending.delete(frame.message.clientMessageId)
          this.room.acked.set(frame.message.clientMessageId, frame.message.messageId)
          this.stats.chatAcked = this.room.sim.ackedTotal()
        } else if (frame.type === 'error') {
          this.stats.clientErrors[frame.code] = (this.stats.clientErrors[frame.code] ?? 0) + 1
        }
      })
      socket.on('error', () => {})
      socket.on('close', (code) => {
        if (this.socket !== socket) return
        if (!ready) resolve()
        if (this.stopped) return
        this.stats.closes[String(code)] = (this.stats.closes[String(code)] ?? 0) + 1
        this.closedAt ??= Date.now()
        this.instance = (this.instance + 1) % this.wsBases.length // the other instance first
        setTimeout(() => { if (!this.stopped) this.connect().catch(() => {}) }, 250)
      })
    })
  }

  send (frame: object) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame))
  }

  chat (n: number) {
    const sent = { clientMessageId: `${this.room.id.slice(0, 8)}-${n}`, text: `message ${n}` }
    this.pending.set(sent.clientMessageId, sent)
    this.stats.chatSent++
    this.send({ type: 'chat.send', ...sent, ref: sent.clientMessageId })
  }

  close () {
    this.stopped = true
    this.socket?.close(1000)
  }
}

class SimRoom {
  readonly members: Member[] = []
  readonly users = new Map<Member, string>()
  readonly acked = new Map<string, string>() // clientMessageId → messageId
  constructor (readonly id: string, readonly sim: Traffic) {}
  userOf (m: Member) { return this.users.get(m) }
}

export class Traffic {
  readonly rooms: SimRoom[] = []
  readonly stats: TrafficStats = { rooms: 0, members: 0, chatSent: 0, chatAcked: 0, clientErrors: {}, closes: {}, reconnectMs: [], apiErrors: {}, maxPauseMs: 0, outOfOrder: 0 }
  running = false
  private timer: NodeJS.Timeout | undefined
  private tick = 0

  constructor (readonly apiUrl: string, readonly wsBases: string[]) {}

  ackedTotal () { return this.rooms.reduce((n, r) => n + r.acked.size, 0) }

  private async api (path: string, token?: string, body?: unknown) {
    const res = await fetch(`${this.apiUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {})
    })
    const json = await res.json() as any
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json.errors)}`)
    return json
  }

  /** Rooms of `perRoom` members, spread over the realtime instances. */
  async open (roomCount: number, perRoom: number) {
    for (let r = 0; r < roomCount; r++) {
      const users = await Promise.all(Array.from({ length: perRoom }, (_, i) => this.api('/auth/dev-sign-in', undefined, { name: `drill-${r}-${i}` })))
      const { room } = await this.api('/rooms', users[0].token, { filmId: 'sintel' })
      const sim = new SimRoom(room.id, this)
      for (const [i, user] of users.entries()) {
        if (i > 0) await this.api(`/invites/${room.inviteCode}/join`, user.token)
        const { ticket } = await this.api(`/rooms/${room.id}/ticket`, user.token)
        const member = new Member(sim, ticket, this.wsBases, (r + i) % this.wsBases.length, this.stats)
        sim.users.set(member, user.user.id)
        sim.members.push(member)
      }
      this.rooms.push(sim)
    }
    await Promise.all(this.rooms.flatMap((room) => room.members.map((m) => m.connect())))
    this.stats.rooms = this.rooms.length
    this.stats.members = this.rooms.reduce((n, r) => n + r.members.length, 0)
  }

  /** Each second: one message per room from a rotating member; every 3 s the room's first member seeks. */
  start () {
    this.running = true
    this.timer = setInterval(() => {
      this.tick++
      for (const room of this.rooms) {
        const member = room.members[this.tick % room.members.length]!
        member.chat(this.tick)
        if (this.tick % 3 === 0) room.members[0]!.send({ type: 'player.seek', version: room.members[0]!.version, positionMs: this.tick * 1000 })
      }
      // Resend what is still unacknowledged after 5 s (same clientMessageId: never stored twice).
      if (this.tick % 5 === 0) {
        for (const m of this.rooms.flatMap((r) => r.members)) {
          for (const sent of m.pending.values()) m.send({ type: 'chat.send', ...sent, ref: sent.clientMessageId })
        }
      }
    }, 1000)
  }

  /** Stops sending, then waits (up to `settleMs`) for the last acknowledgements. */
  async stop (settleMs = 15_000) {
    clearInterval(this.timer)
    this.running = false
    const deadline = Date.now() + settleMs
    while (Date.now() < deadline && this.rooms.some((r) => r.members.some((m) => m.pending.size > 0))) await sleep(250)
    for (const m of this.rooms.flatMap((r) => r.members)) m.close()
    this.stats.chatAcked = this.ackedTotal()
  }

  unacked () { return this.rooms.reduce((n, r) => n + r.members.reduce((k, m) => k + m.pending.size, 0), 0) }
  maxSeqs () { return new Map(this.rooms.map((r) => [r.id, Math.max(...r.members.map((m) => m.lastSeq))])) }
  ackedMessageIds () { return this.rooms.flatMap((r) => [...r.acked.values()]) }
}
