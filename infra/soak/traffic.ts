// The soak's users: rooms made through room-api, members on every realtime instance, and steady acts —
// chat, player commands, leaves and re-joins, client-side reconnects. Each member records what a user
// would see and, for the invariants, every act the server accepted (with the seq it got).
import { WebSocket } from 'ws'
import { partitionFor } from '../../packages/kafka/src/partition.js'
import { prng, type Fault } from './schedule.js'
import { sleep } from './targets.js'

/** A film as long as the soak (run.ts adds it to the soak's schema). */
export const SOAK_FILM = 'soak-film'

/** How long a leave may take to close the member's open socket (room-api → Kafka → realtime, faults included). */
export const LEAVE_BOUND_MS = 120_000

export interface AcceptedChat { roomId: string, userId: string, messageId: string, clientMessageId: string, seq: number, at: number }
export interface AcceptedCommand { roomId: string, userId: string, ref: string, seq: number, at: number }
export interface Latency { sentAt: number, latencyMs: number }

export interface TrafficOptions {
  rooms: number
  membersPerRoom: number
  /** Per room per second. */
  chatRate: number
  commandRate: number
  leaveRate: number
  reconnectRate: number
  seed: number
}

export class TrafficStats {
  chatSent = 0
  commandsSent = 0
  commandsRejected = 0
  leaves = 0
  rejoins = 0
  clientReconnects = 0
  reconnects = 0
  apiFailures = 0
  ghostAttempts = 0
  ghostRefused = 0
  /** Acts the server accepted from a member after their leave had reached realtime: an invariant. */
  ghostAccepted: string[] = []
  /** Leaves whose member's open socket was not closed (4012) within LEAVE_BOUND_MS: an invariant. */
  leavesNotEnforced: string[] = []
  /** Every answered leave: when room-api committed it and when the member saw it arrive (null: not within the bound). */
  leaveTimes: LeaveTime[] = []
  /** Sockets closed with a membership code (4010–4014) that the member did not ask for: an invariant. */
  unexpectedEnds: string[] = []
  /** Leaves whose request went unanswered but committed later (their 4012 came while the member was in). */
  lateLeaves = 0
  /** Leaves made with no socket open and no room-mate connected to see them arrive (no ghost tried). */
  leavesUnseen = 0
  errors: Record<string, number> = {}
  closes: Record<string, number> = {}
}

type MemberState = 'in' | 'leaving' | 'out'

export interface LeaveTime {
  roomId: string
  userId: string
  /** The topic partition the room's events travel on (the soak's topic has SOAK_PARTITIONS). */
  partition: number
  /** room-api's answer: the leave is committed (its event in the outbox). */
  committedAt: number
  /** Its 4012 close or a room-mate's member.left frame arrived; null when not within LEAVE_BOUND_MS. */
  seenAt: number | null
  hadSocket: boolean
}

/** The soak topic's partition count (run.ts creates it with KAFKA_TOPIC_PARTITIONS). */
export const SOAK_PARTITIONS = 6

/** The close code of a member who left (CLOSE_CODES.memberLeft in packages/protocol, which the soak does not import). */
const CLOSE_LEFT = 4012

class Member {
  socket: WebSocket | undefined
  ticket = ''
  lastSeq = 0
  version = 0
  state: MemberState = 'in'
  connected = false
  instance: number
  stopped = false
  failures = 0
  reconnectTimer: NodeJS.Timeout | undefined
  /**
   * Set once this member's leave reached realtime: the server closed their socket with 4012, or (with
   * no socket of theirs open) a room-mate saw the room's member.left frame, which realtime sends only
   * after storing the leave that refuses the old ticket.
   */
  leaveApplied: (() => void) | undefined
  /**
   * This member's committed leaves, and the seqs of the member.left frames of theirs seen in the room: realtime
   * applies a member's leaves in order, so a frame applies the latest leave only once there is one per leave. (A
   * late frame of an earlier leave — held up past the bound by a Kafka outage — must not count as the latest.)
   */
  leavesCommitted = 0
  readonly leftFrames = new Set<number>()
  /**
   * A leave request that got no answer (an instance or PostgreSQL frozen): it may still commit, so a
   * 4012 for it later is that leave arriving, not a member closed out without leaving.
   */
  leaveUnanswered = false
  readonly pendingChat = new Map<string, { text: string, sentAt: number }>()
  readonly pendingCommands = new Map<string, number>()

  constructor (readonly room: Room, readonly userId: string, readonly token: string, first: number) {
    this.instance = first
  }

  get t () { return this.room.traffic }

  connect () {
    if (this.stopped) return
    const bases = this.t.wsBases
    const since = this.lastSeq > 0 ? `&since=${this.lastSeq}` : ''
    const socket = new WebSocket(`${bases[this.instance % bases.length]}/rooms/${this.room.id}/ws?ticket=${this.ticket}${since}`)
    this.socket = socket
    socket.on('message', (data) => this.onFrame(socket, JSON.parse(data.toString())))
    socket.on('error', () => {})
    socket.on('close', (code) => this.onClose(socket, code))
  }

  private onFrame (socket: WebSocket, frame: any) {
    if (socket !== this.socket) return
    const t = this.t
    if (typeof frame.seq === 'number') this.lastSeq = Math.max(this.lastSeq, frame.seq)
    if (frame.type === 'session.ready') {
      this.connected = true
      this.failures = 0
      this.lastSeq = Math.max(this.lastSeq, frame.seq)
      this.version = Math.max(this.version, frame.state.version)
      this.room.seen(frame.seq)
      if (this.state === 'out') {
        // A ticket of an ended membership was let in: act, and record whether the server accepts it.
        const id = `ghost-${this.room.index}-${this.userId.slice(-6)}-${Date.now()}`
        this.pendingChat.set(id, { text: 'ghost', sentAt: Date.now() })
        this.send({ type: 'chat.send', clientMessageId: id, text: 'ghost', ref: id })
        return
      }
      for (const [id, sent] of this.pendingChat) this.send({ type: 'chat.send', clientMessageId: id, text: sent.text, ref: id })
      return
    }
    if (typeof frame.seq === 'number') this.room.seen(frame.seq)
    if (frame.type === 'member.left') {
      const member = this.room.members.find((m) => m.userId === frame.userId)
      member?.leftFrames.add(frame.seq)
      if (member && member.leftFrames.size >= member.leavesCommitted) member.leaveApplied?.()
    }
    if (frame.state?.version !== undefined) this.version = Math.max(this.version, frame.state.version)
    if (frame.type === 'chat.message_sent' && frame.message.userId === this.userId && this.pendingChat.has(frame.message.clientMessageId)) {
      const id = frame.message.clientMessageId as string
      const sent = this.pendingChat.get(id)!
      this.pendingChat.delete(id)
      if (id.startsWith('ghost-')) { t.stats.ghostAccepted.push(`${this.room.id} ${this.userId} chat ${frame.message.messageId} seq ${frame.seq}`); return }
      t.acceptedChats.push({ roomId: this.room.id, userId: this.userId, messageId: frame.message.messageId, clientMessageId: id, seq: frame.seq, at: Date.now() })
      t.latencies.push({ sentAt: sent.sentAt, latencyMs: Date.now() - sent.sentAt })
    } else if (frame.type === 'player.state_changed' && frame.ref && frame.actor?.userId === this.userId && this.pendingCommands.has(frame.ref)) {
      this.pendingCommands.delete(frame.ref)
      t.acceptedCommands.push({ roomId: this.room.id, userId: this.userId, ref: frame.ref, seq: frame.seq, at: Date.now() })
    } else if (frame.type === 'player.command_rejected') {
      this.pendingCommands.delete(frame.ref)
      t.stats.commandsRejected++
    } else if (frame.type === 'error') {
      t.stats.errors[frame.code] = (t.stats.errors[frame.code] ?? 0) + 1
      if (frame.ref) this.pendingCommands.delete(frame.ref)
    }
  }

  private onClose (socket: WebSocket, code: number) {
    if (socket !== this.socket) return
    const t = this.t
    this.connected = false
    this.socket = undefined
    t.stats.closes[String(code)] = (t.stats.closes[String(code)] ?? 0) + 1
    if (this.stopped) return
    if (code >= 4010 && code <= 4014) {
      if (this.state === 'in' && this.leaveUnanswered && code === CLOSE_LEFT) {
        // The unanswered leave committed after all: out, and back in like any leave.
        this.leaveUnanswered = false
        this.leavesCommitted++
        t.stats.leaves++
        t.stats.lateLeaves++
        this.state = 'out'
        this.pendingChat.clear()
        this.pendingCommands.clear()
        this.rejoin().catch(() => {})
        return
      }
      if (this.state === 'leaving' || this.state === 'out') {
        if (this.state === 'out') t.stats.ghostRefused++
        this.leaveApplied?.()
        return
      }
      t.stats.unexpectedEnds.push(`${this.room.id} ${this.userId} closed ${code}`)
      this.stopped = true
      return
    }
    if (this.state === 'out') return // a ghost connection that failed for another reason: not retried
    t.stats.reconnects++
    this.instance++ // the next instance first
    clearTimeout(this.reconnectTimer)
    // Backing off (with jitter) like a real client, so hundreds of members of a dead instance do not
    // hammer the survivor in lockstep.
    const delay = Math.min(5000, 250 * 2 ** Math.min(this.failures++, 5)) * (0.5 + t.rand())
    this.reconnectTimer = setTimeout(() => this.connect(), Math.floor(delay))
  }

  send (frame: object) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame))
  }

  chat () {
    const id = `c${this.room.index}-${++this.t.counter}`
    this.pendingChat.set(id, { text: `message ${id}`, sentAt: Date.now() })
    this.t.stats.chatSent++
    this.send({ type: 'chat.send', clientMessageId: id, text: `message ${id}`, ref: id })
  }

  command () {
    const ref = `p${++this.t.counter}`
    const r = this.t.rand()
    this.pendingCommands.set(ref, Date.now())
    this.t.stats.commandsSent++
    // Seeks stay far from the film's end (the room must not end and close during the soak).
    if (r < 0.5) this.send({ type: 'player.seek', ref, version: this.version, positionMs: Math.floor(this.t.rand() * 600_000) })
    else if (r < 0.75) this.send({ type: 'player.pause', ref, version: this.version })
    else this.send({ type: 'player.play', ref, version: this.version })
  }

  /** Resends what is still unacknowledged (same clientMessageId: the server stores a message once). */
  resend (now: number) {
    for (const [id, sent] of this.pendingChat) {
      if (id.startsWith('ghost-')) continue
      if (now - sent.sentAt > 10_000) this.send({ type: 'chat.send', clientMessageId: id, text: sent.text, ref: id })
    }
    for (const [ref, at] of this.pendingCommands) if (now - at > 15_000) this.pendingCommands.delete(ref)
  }

  /** Leaves through room-api, checks that the old ticket no longer acts, then joins again. */
  async leaveAndRejoin () {
    const t = this.t
    this.state = 'leaving'
    // Realtime learns of the leave from room-api's event (through Kafka): its 4012 close, or a
    // room-mate's member.left frame, says it arrived.
    const applied = new Promise<void>((resolve) => { this.leaveApplied = resolve })
    // Counted from the request on: a frame of this leave may arrive before its answer.
    this.leavesCommitted++
    if (!await t.api(`/rooms/${this.room.id}/leave`, this.token)) {
      this.leavesCommitted--
      this.leaveApplied = undefined
      this.leaveUnanswered = true
      this.state = 'in'
      return
    }
    t.stats.leaves++
    this.pendingChat.clear()
    this.pendingCommands.clear()
    const hadSocket = this.socket !== undefined
    const leftAt = Date.now()
    const seenAt = await Promise.race([applied.then(() => Date.now()), sleep(LEAVE_BOUND_MS).then(() => null)])
    const enforced = seenAt !== null
    this.leaveApplied = undefined
    const partition = partitionFor(this.room.id, SOAK_PARTITIONS)
    t.stats.leaveTimes.push({ roomId: this.room.id, userId: this.userId, partition, committedAt: leftAt, seenAt, hadSocket })
    if (!enforced && !t.stopping) {
      // With no socket to close, only a room-mate could see it arrive; all of them away is not a violation.
      if (hadSocket) t.stats.leavesNotEnforced.push(`${this.room.id} ${this.userId} (partition ${partition}, committed ${new Date(leftAt).toISOString().slice(11, 19)}): socket still open ${Math.round((Date.now() - leftAt) / 1000)} s after leaving`)
      else t.stats.leavesUnseen++
    }
    this.hangUp()
    if (enforced) {
      // The ghost: the old ticket again, once the leave reached realtime. It must be refused (4012) before it can act.
      this.state = 'out'
      t.stats.ghostAttempts++
      this.connect()
      await sleep(2000 + Math.floor(t.rand() * 4000))
      this.hangUp()
    }
    this.state = 'out'
    await this.rejoin()
  }

  /** Joins again through the invite and connects with a fresh ticket (the ghost's message is not resent). */
  /** Cuts this member's socket and any pending reconnect. */
  private hangUp () {
    this.socket?.terminate()
    this.socket = undefined
    clearTimeout(this.reconnectTimer)
  }

  async rejoin () {
    const t = this.t
    for (const id of this.pendingChat.keys()) if (id.startsWith('ghost-')) this.pendingChat.delete(id)
    while (!this.stopped && !t.stopping) {
      const joined = await t.api(`/invites/${this.room.inviteCode}/join`, this.token)
      const ticket = joined && await t.api(`/rooms/${this.room.id}/ticket`, this.token)
      if (ticket) {
        this.ticket = ticket.ticket
        this.state = 'in'
        t.stats.rejoins++
        this.connect()
        return
      }
      await sleep(2000)
    }
  }

  close () {
    this.stopped = true
    clearTimeout(this.reconnectTimer)
    this.socket?.close(1000)
  }
}

class Room {
  readonly members: Member[] = []
  maxSeq = 0
  constructor (readonly traffic: Traffic, readonly index: number, readonly id: string, readonly inviteCode: string) {}
  seen (seq: number) { if (seq > this.maxSeq) this.maxSeq = seq }
}

export class Traffic {
  readonly rooms: Room[] = []
  readonly stats = new TrafficStats()
  readonly acceptedChats: AcceptedChat[] = []
  readonly acceptedCommands: AcceptedCommand[] = []
  readonly latencies: Latency[] = []
  readonly rand: () => number
  counter = 0
  stopping = false
  private timer: NodeJS.Timeout | undefined
  private apiTurn = 0
  private readonly lastResend = new Array<number>(10).fill(0)

  constructor (readonly apiUrls: string[], readonly wsBases: string[], readonly opts: TrafficOptions) {
    // Traffic has its own stream of random numbers, so the fault schedule's does not depend on it.
    this.rand = prng(opts.seed ^ 0x5eed)
  }

  /** A room-api call on the next instance (the other one when it fails); null when neither answered. */
  async api (path: string, token?: string, body?: unknown): Promise<any> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const url = this.apiUrls[this.apiTurn++ % this.apiUrls.length]
      try {
        const res = await fetch(`${url}/api/v1${path}`, {
          method: 'POST',
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(10_000)
        })
        const json = await res.json() as any
        if (res.ok) return json
      } catch {}
      this.stats.apiFailures++
    }
    return null
  }

  private async must (path: string, token?: string, body?: unknown) {
    for (let i = 0; i < 20; i++) {
      const out = await this.api(path, token, body)
      if (out) return out
      await sleep(500)
    }
    throw new Error(`room-api ${path} kept failing during set-up`)
  }

  async open () {
    const { rooms, membersPerRoom } = this.opts
    const made: Room[] = new Array(rooms)
    let next = 0
    const worker = async () => {
      for (let r = next++; r < rooms; r = next++) {
        const users = []
        for (let i = 0; i < membersPerRoom; i++) users.push(await this.must('/auth/dev-sign-in', undefined, { name: `soak-${r}-${i}` }))
        const { room } = await this.must('/rooms', users[0].token, { filmId: SOAK_FILM })
        const sim = new Room(this, r, room.id, room.inviteCode)
        for (const [i, user] of users.entries()) {
          if (i > 0) await this.must(`/invites/${room.inviteCode}/join`, user.token)
          const member = new Member(sim, user.user.id, user.token, r + i)
          member.ticket = (await this.must(`/rooms/${room.id}/ticket`, user.token)).ticket
          sim.members.push(member)
        }
        made[r] = sim
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    this.rooms.push(...made)
    for (const m of this.rooms.flatMap((r) => r.members)) { m.connect(); await sleep(2) }
    const deadline = Date.now() + 120_000
    while (this.connectedCount() < this.memberCount() && Date.now() < deadline) await sleep(250)
  }

  memberCount () { return this.rooms.reduce((n, r) => n + r.members.length, 0) }
  connectedCount () { return this.rooms.reduce((n, r) => n + r.members.filter((m) => m.connected).length, 0) }

  /** Acts every 100 ms on a tenth of the rooms, so the load is even rather than a burst each second. */
  start () {
    let slice = 0
    this.timer = setInterval(() => {
      const now = Date.now()
      slice = (slice + 1) % 10
      const resendDue = now - this.lastResend[slice]! > 10_000
      for (const room of this.rooms) {
        if (room.index % 10 !== slice) continue
        // Members act while connected (a real client's chat box waits for its socket).
        const present = room.members.filter((m) => m.state === 'in' && !m.stopped && m.connected)
        const pick = () => present[Math.floor(this.rand() * present.length)]
        if (present.length === 0) continue
        if (this.rand() < this.opts.chatRate) pick()!.chat()
        if (this.rand() < this.opts.commandRate) pick()!.command()
        if (this.rand() < this.opts.leaveRate) {
          const guest = room.members.slice(1).filter((m) => m.state === 'in' && m.connected)
          const who = guest[Math.floor(this.rand() * guest.length)]
          if (who) who.leaveAndRejoin().catch(() => {})
        }
        if (this.rand() < this.opts.reconnectRate) {
          const who = pick()!
          if (who.socket && who.connected) { this.stats.clientReconnects++; who.socket.terminate() }
        }
        if (resendDue) for (const m of room.members) if (m.state === 'in') m.resend(now)
      }
      if (resendDue) this.lastResend[slice] = now
    }, 100)
  }

  /** Stops acting; waits (up to `settleMs`) for the last acknowledgements and for leaves in progress. */
  async stop (settleMs: number) {
    clearInterval(this.timer)
    this.stopping = true
    const deadline = Date.now() + settleMs
    const busy = () => this.rooms.some((r) => r.members.some((m) => (m.state === 'in' && m.pendingChat.size > 0) || m.state === 'leaving'))
    while (Date.now() < deadline && busy()) {
      for (const m of this.rooms.flatMap((r) => r.members)) if (m.state === 'in') m.resend(Date.now())
      await sleep(500)
    }
    // Members still out (a re-join that could not finish) are out: the membership checks read PostgreSQL.
    for (const m of this.rooms.flatMap((r) => r.members)) m.close()
  }

  unacked () { return this.rooms.reduce((n, r) => n + r.members.reduce((k, m) => k + (m.state === 'in' ? m.pendingChat.size : 0), 0), 0) }

  /** The worst wait for a chat acknowledgement among messages first sent in [from, to]. */
  worstPause (from: number, to: number): number {
    let worst = 0
    for (const l of this.latencies) if (l.sentAt >= from && l.sentAt <= to && l.latencyMs > worst) worst = l.latencyMs
    return worst
  }
}

export type { Fault }
