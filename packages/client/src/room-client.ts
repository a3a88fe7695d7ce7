import {
  type ChatMessage, CLOSE_CODES, type LeaveReason, type Member, type PlayerCommand, type PlayerFrame, type PlayerState,
  type FloatingReaction, type RoomEventFrame, ServerFrame
} from '@watch-together/protocol'
import { ClockSync, type ClockSyncOptions, currentPosition } from '@watch-together/sync-core'
import { Backoff, type BackoffOptions } from './backoff.js'
import { Emitter } from './emitter.js'
import { RoomError } from './errors.js'
import { messageText, OPEN, resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './socket.js'
import type { ConnectionStatus, MembershipEnded, RoomClientEvents, RoomCounters, SessionReady } from './events.js'

export interface RoomClientOptions {
  /** The realtime service's base URL, e.g. `wss://rt.example.org`. */
  url: string
  roomId: string
  /** A ticket, or a function returning a fresh one (tickets expire; it is called on every connect). */
  ticket: string | (() => string | Promise<string>)
  /** Needed where there is no global WebSocket (Node 20): `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor
  /** The local clock (ms). Defaults to Date.now; the harness gives each client its own offset clock. */
  now?: () => number
  clock?: ClockSyncOptions
  reconnect?: BackoffOptions
  /** A command without an answer this long fails with WT_TIMEOUT. */
  commandTimeoutMs?: number
  /** A connection with no frame at all this long (clock pings included) is dropped and re-opened. */
  deadAfterMs?: number
}

/** A player command without the fields the SDK fills in. */
export type CommandBody = PlayerFrame extends infer F ? F extends PlayerFrame ? Omit<F, 'version' | 'ref'> : never : never

interface Pending {
  resolve: (value: any) => void
  reject: (err: RoomError) => void
  timer: ReturnType<typeof setTimeout>
  /** A chat.delete: someone else's deletion of the same message settles it too (the server ignores a second one). */
  messageId?: string
}

/** Commands with an absolute intent are retried on a stale version; relative ones (next) are not. */
const RETRY_ON_STALE = new Set<PlayerCommand>(['play', 'pause', 'seek', 'set_rate', 'jump', 'replace_queue'])
/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSES = new Set<number>([CLOSE_CODES.wrongRoom, CLOSE_CODES.originNotAllowed, CLOSE_CODES.roomClosed])
/** Close codes that end this member's membership: final, and said as such (`membershipEnded`). */
const MEMBERSHIP_CLOSES = new Map<number, LeaveReason>([
  [CLOSE_CODES.memberLeft, 'left'], [CLOSE_CODES.memberRemoved, 'removed'], [CLOSE_CODES.memberBanned, 'banned']
])
const TICKET_CLOSES = new Set<number>([CLOSE_CODES.ticketInvalid, CLOSE_CODES.ticketExpired])
const BURST_GAP_MS = 40
const PING_RETRY_MS = 3000
const MAX_PINGS_IN_FLIGHT = 4

/**
 * One member's connection to one room: the player state (with server-time positions through
 * clock sync), members and chat, the room's commands as methods, reconnect with backoff and
 * resume from the last seen sequence number.
 */
export class RoomClient extends Emitter<RoomClientEvents> {
  readonly clock: ClockSync
  readonly now: () => number
  state: PlayerState | null = null
  members = new Map<string, Member>()
  chat: ChatMessage[] = []
  session: SessionReady | null = null
  status: ConnectionStatus = 'idle'
  /** The room's host (session.ready, then host.changed frames); null when not known. */
  hostId: string | null = null
  /** Set once this member's membership ended (left, removed, banned): the client is closed for good. */
  ended: MembershipEnded | null = null
  /** The latest live counters (room.counters), null until the server sent some. */
  counters: RoomCounters | null = null

  private readonly opts: RoomClientOptions
  private readonly WS: WebSocketConstructor
  private readonly backoff: Backoff
  private socket: WebSocketLike | null = null
  /** A retry is scheduled (the backoff delay is running): reconnectNow() may skip it. */
  private retryPending = false
  private lastSeq: number | null = null
  private snapshotSeq = 0
  private readyOffset = 0
  private lastFrameAt = 0
  private refs = 0
  private readonly refPrefix = Math.random().toString(36).slice(2, 10)
  private pending = new Map<string, Pending>()
  private clockTimer: ReturnType<typeof setTimeout> | undefined
  private inflight: number[] = []
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private ticketFailures = 0
  /** 4014 in a row: a fresh ticket is fetched once; a second refusal closes. */
  private superseded = 0
  /** Whether this member's player plays (reportPlaying), and what the server was last told. */
  private playing = false
  private playingSent = false
  private stopped = false

  constructor (opts: RoomClientOptions) {
    super()
    this.opts = opts
    this.WS = resolveWebSocket(opts.WebSocket)
    this.now = opts.now ?? Date.now
    this.clock = new ClockSync(opts.clock)
    this.backoff = new Backoff(opts.reconnect)
  }

  /** Opens the connection; resolves on the first session.ready (later drops reconnect by themselves). */
  connect (): Promise<SessionReady> {
    if (this.status === 'open' && this.session) return Promise.resolve(this.session)
    if (this.ended) return Promise.reject(new RoomError('WT_CLOSED', `the membership ended (${this.ended.reason})`))
    const already = this.status === 'connecting' || this.status === 'reconnecting'
    this.stopped = false
    const ready = new Promise<SessionReady>((resolve, reject) => {
      const offReady = this.once('ready', (frame) => { offClosed(); resolve(frame) })
      const offClosed = this.on('connection', (status, info) => {
        if (status === 'closed') { offReady(); offClosed(); reject(new RoomError('WT_CLOSED', info.reason ?? 'closed')) }
      })
    })
    if (!already) this.open().catch(() => {})
    return ready
  }

  /** Closes for good (no reconnect); pending commands fail with WT_CLOSED. */
  close (): void {
    if (this.stopped && this.status === 'closed') return
    this.shutDown()
    this.setStatus('closed', { code: 1000, reason: 'closed by the client' })
  }

  /**
   * Retries at once while waiting to reconnect ("retry now", the browser came back online, the tab
   * became visible): the pending backoff delay is skipped and the backoff starts over. Does nothing
   * when open, connecting or closed for good.
   */
  reconnectNow (): boolean {
    if (this.stopped || this.status !== 'reconnecting' || !this.retryPending) return false
    clearTimeout(this.retryTimer)
    this.backoff.reset()
    this.open().catch(() => {})
    return true
  }

  /** Drops the current connection as a network failure would (it reconnects and resumes). */
  drop (): void {
    this.socket?.close(4000, 'dropped')
  }

  /** Server time (ms) now, from the local clock and the clock-sync offset. */
  serverNow (): number {
    const local = this.now()
    return local + (this.clock.offset(local) ?? this.readyOffset)
  }

  /** Converts a server time to the local clock. */
  toLocal (serverTime: number): number {
    const local = this.now()
    return serverTime - (this.clock.offset(local) ?? this.readyOffset)
  }

  /** Whether this member is the room's host now (host.changed frames keep it current). */
  isHost (): boolean {
    return this.session !== null && this.hostId === this.session.you.userId
  }

  /** Whether the host muted this member (chat is then refused with RT_MUTED). */
  isMuted (): boolean {
    const me = this.session ? this.members.get(this.session.you.userId) : undefined
    return me?.muted ?? this.session?.you.muted ?? false
  }

  /** The room's position (ms) now, or null before the first state. */
  position (): number | null {
    return this.state ? currentPosition(this.state, this.serverNow()) : null
  }

  // ---- commands: versions are handled here, from the latest known state ----
  play (leadMs?: number) { return this.command({ type: 'player.play', ...(leadMs !== undefined ? { leadMs } : {}) }) }
  pause () { return this.command({ type: 'player.pause' }) }
  seek (positionMs: number, leadMs?: number) { return this.command({ type: 'player.seek', positionMs: Math.max(0, Math.round(positionMs)), ...(leadMs !== undefined ? { leadMs } : {}) }) }
  setRate (rate: number) { return this.command({ type: 'player.set_rate', rate }) }
  next () { return this.command({ type: 'player.next' }) }
  previous () { return this.command({ type: 'player.previous' }) }
  jump (index: number) { return this.command({ type: 'player.jump', index }) }
  replaceQueue (items: string[], index?: number) { return this.command({ type: 'player.replace_queue', items, ...(index !== undefined ? { index } : {}) }) }
  appendQueue (items: string[]) { return this.command({ type: 'player.append_queue', items }) }

  /**
   * Tells the room this member's player reached the end of `itemId` (default: the current item);
   * attach() calls it when the media fires `ended`. The server checks it against its own clock
   * (RT_NOT_ENDED, RT_WRONG_ITEM, RT_END_UNTRACKED, RT_STALE_VERSION otherwise); the first report
   * of an end pauses the room there, and the room's film ending closes the room. An end someone
   * else reported first (RT_ALREADY_ENDED) resolves like an accepted report.
   */
  async reportEnded (itemId?: string): Promise<PlayerState> {
    const state = this.state
    if (!this.isOpen() || !state) throw new RoomError('WT_NOT_CONNECTED', 'not connected to the room')
    const item = itemId ?? state.itemId
    if (!item) throw new RoomError('RT_WRONG_ITEM', 'the room has no current item')
    try {
      return await this.ask({ type: 'player.report_ended', itemId: item, version: state.version })
    } catch (err) {
      if (err instanceof RoomError && err.code === 'RT_ALREADY_ENDED') return this.state ?? state
      throw err
    }
  }

  sendChat (text: string, clientMessageId = `${this.refPrefix}-${++this.refs}`) {
    this.send({ type: 'chat.send', clientMessageId, text, positionMs: Math.max(0, Math.round(this.position() ?? 0)) })
    return clientMessageId
  }

  react (messageId: string, emoji: string) { this.send({ type: 'chat.react', messageId, emoji }) }

  /**
   * Host only: deletes a message for everyone. Resolves once the deletion is in the room (the
   * message then reads as a tombstone: `deleted`, empty text); rejects with RT_NOT_HOST or
   * RT_MESSAGE_NOT_FOUND (older than the server's recent history).
   */
  async deleteMessage (messageId: string): Promise<void> {
    if (!this.isOpen()) throw new RoomError('WT_NOT_CONNECTED', 'not connected to the room')
    if (this.chat.find((m) => m.messageId === messageId)?.deleted) return
    await this.ask<void>({ type: 'chat.delete', messageId }, messageId)
  }

  setTyping (typing: boolean) { this.send({ type: 'chat.set_typing', typing }) }
  /** Floats a reaction over everyone's video (live only; refused with RT_RATE_LIMITED past the chat limit). */
  float (emoji: FloatingReaction) { this.send({ type: 'reaction.send', emoji }) }
  reportBuffering (buffering: boolean) { if (this.isOpen()) this.send({ type: 'buffering.report', buffering }) }

  /**
   * Tells the room whether this member's player is playing: it counts in the room's "playing now"
   * (room.counters). attach() calls it as the media starts and stops. Sent only when it changes, kept
   * while disconnected and sent again on the next session (the server forgets it with the member's
   * last connection).
   */
  reportPlaying (playing: boolean): void {
    this.playing = playing
    if (!this.isOpen() || this.playingSent === playing) return
    this.playingSent = playing
    this.send({ type: 'player.report_playing', playing })
  }

  /** What this client reports about its player (reportPlaying), whether or not it is connected now. */
  get reportsPlaying (): boolean { return this.playing }

  isOpen (): boolean {
    return this.status === 'open' && this.socket?.readyState === OPEN
  }

  /**
   * Sends a player command based on the latest known version. A stale version refreshes the
   * state (from the rejection) and, for commands with an absolute intent, retries on it.
   */
  private async command (body: CommandBody): Promise<PlayerState> {
    const command = body.type.slice('player.'.length) as PlayerCommand
    for (let attempt = 0; ; attempt++) {
      if (!this.isOpen() || !this.state) throw new RoomError('WT_NOT_CONNECTED', 'not connected to the room')
      try {
        return await this.ask({ ...body, version: this.state.version } as Omit<PlayerFrame, 'ref'>)
      } catch (err) {
        const stale = err instanceof RoomError && err.code === 'RT_STALE_VERSION'
        if (!stale || !RETRY_ON_STALE.has(command) || attempt >= 2) throw err
      }
    }
  }

  /** Sends a frame with a fresh ref; resolves with what answers it (a state for commands), rejects with its refusal. */
  private ask<T = PlayerState> (frame: { type: string, [field: string]: unknown }, messageId?: string): Promise<T> {
    const ref = `${this.refPrefix}-${++this.refs}`
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref)
        reject(new RoomError('WT_TIMEOUT', `no answer to ${frame.type}`))
      }, this.opts.commandTimeoutMs ?? 10_000)
      this.pending.set(ref, { resolve, reject, timer, ...(messageId !== undefined ? { messageId } : {}) })
      this.send({ ...frame, ref })
    })
  }

  private send (frame: object) {
    if (!this.socket || this.socket.readyState !== OPEN) throw new RoomError('WT_NOT_CONNECTED', 'not connected to the room')
    this.socket.send(JSON.stringify(frame))
  }

  private setStatus (status: ConnectionStatus, info: { code?: number, reason?: string, retryInMs?: number } = {}) {
    this.status = status
    this.emit('connection', status, info)
  }

  private async open () {
    this.retryPending = false
    if (this.stopped) return
    this.setStatus(this.session ? 'reconnecting' : 'connecting')
    let ticket: string
    try {
      ticket = typeof this.opts.ticket === 'string' ? this.opts.ticket : await this.opts.ticket()
    } catch (err) {
      this.emit('error', new RoomError('WT_NOT_CONNECTED', `the ticket provider failed: ${(err as Error).message}`))
      return this.retry()
    }
    if (this.stopped) return
    const since = this.lastSeq !== null ? `&since=${this.lastSeq}` : ''
    let socket: WebSocketLike
    try {
      socket = new this.WS(`${this.opts.url}/rooms/${encodeURIComponent(this.opts.roomId)}/ws?ticket=${encodeURIComponent(ticket)}${since}`)
    } catch (err) {
      // A malformed URL: retrying cannot help.
      this.stopped = true
      this.emit('error', new RoomError('WT_CLOSED', `cannot open the socket: ${(err as Error).message}`))
      return this.setStatus('closed', { reason: (err as Error).message })
    }
    this.socket = socket
    socket.onmessage = (event) => {
      if (this.socket !== socket) return
      this.lastFrameAt = this.now()
      const text = messageText(event.data)
      if (text !== null) this.receive(text)
    }
    socket.onerror = () => {}
    socket.onclose = (event) => { if (this.socket === socket) this.closed(event.code, event.reason) }
  }

  private closed (code: number, reason: string) {
    this.socket = null
    clearTimeout(this.clockTimer)
    this.failPending('WT_DISCONNECTED', 'the connection dropped before an answer')
    if (this.stopped) return
    const membership = MEMBERSHIP_CLOSES.get(code)
    if (membership) return this.end({ reason: membership, code, actor: null }, reason)
    const ticketRefused = TICKET_CLOSES.has(code)
    this.ticketFailures = ticketRefused ? this.ticketFailures + 1 : 0
    // A ticket of an earlier membership (the user left and joined again since): one fresh ticket, at once.
    const staticTicket = typeof this.opts.ticket === 'string'
    this.superseded = code === CLOSE_CODES.ticketSuperseded ? this.superseded + 1 : 0
    if (FATAL_CLOSES.has(code) || ((ticketRefused || this.superseded > 0) && staticTicket) || this.ticketFailures > 3 || this.superseded > 1) {
      this.stopped = true
      this.emit('error', new RoomError('WT_CLOSED', `the room refused the connection (${code} ${reason})`))
      return this.setStatus('closed', { code, reason })
    }
    if (this.superseded > 0) {
      this.open().catch(() => {})
      return
    }
    this.retry({ code, reason })
  }

  /** This member's membership ended: no reconnect, pending commands fail, and the reason is told once. */
  private end (ended: MembershipEnded, reason: string) {
    if (this.ended) return
    this.ended = ended
    this.shutDown()
    this.emit('membershipEnded', ended)
    this.setStatus('closed', { ...(ended.code !== undefined ? { code: ended.code } : {}), reason })
  }

  /** Stops for good: no retry, no clock, no socket; pending commands fail with WT_CLOSED. */
  private shutDown () {
    this.stopped = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.clockTimer)
    this.failPending('WT_CLOSED', 'the client was closed')
    const socket = this.socket
    this.socket = null
    if (socket) { socket.onclose = null; socket.close(1000, 'bye') }
  }

  private retry (info: { code?: number, reason?: string } = {}) {
    const retryInMs = this.backoff.next()
    this.setStatus('reconnecting', { ...info, retryInMs })
    clearTimeout(this.retryTimer)
    this.retryPending = true
    this.retryTimer = setTimeout(() => { this.open().catch(() => {}) }, retryInMs)
  }

  private failPending (code: 'WT_DISCONNECTED' | 'WT_CLOSED', message: string) {
    for (const [ref, p] of this.pending) {
      clearTimeout(p.timer)
      this.pending.delete(ref)
      p.reject(new RoomError(code, message))
    }
  }

  private receive (text: string) {
    let json: unknown
    try { json = JSON.parse(text) } catch { return }
    const parsed = ServerFrame.safeParse(json)
    if (!parsed.success) return // a newer server's frame this SDK does not know yet
    const frame = parsed.data
    switch (frame.type) {
      case 'session.ready': return this.onReady(frame)
      case 'clock.replied': {
        const now = this.now()
        this.inflight = this.inflight.filter((sentAt) => sentAt !== frame.clientSentAt)
        this.clock.addSample({ t0: frame.clientSentAt, t1: frame.serverReceivedAt, t2: frame.serverSentAt, t3: now })
        this.emit('clock', { offsetMs: this.clock.offset(now) ?? 0, errorMs: this.clock.errorBound(now) ?? 0, roundTripMs: this.clock.roundTrip(now) ?? 0 })
        return
      }
      case 'player.command_rejected': {
        this.applyState(frame.state, null)
        return this.settle(frame.ref, new RoomError(frame.code, frame.message, frame.state))
      }
      case 'error': {
        const err = new RoomError(frame.code, frame.message)
        if (frame.ref && this.pending.has(frame.ref)) return this.settle(frame.ref, err)
        return this.emit('error', err)
      }
      case 'chat.typing_changed': return this.emit('typing', { userId: frame.userId, name: frame.name, typing: frame.typing })
      case 'reaction.floated': return this.emit('floated', { userId: frame.userId, name: frame.name, emoji: frame.emoji })
      case 'room.counters': {
        // Not a room event: no seq (it must not move the resume point), never stored or replayed.
        const { room, service } = frame
        this.counters = { room, service }
        return this.emit('counters', this.counters)
      }
      default:
        // Only room events carry a seq; frames without one must never move the resume point.
        if ('seq' in frame) return this.onRoomEvent(frame)
    }
  }

  private onReady (frame: SessionReady) {
    const first = this.session === null
    this.session = frame
    this.readyOffset = frame.serverTime - this.now()
    this.snapshotSeq = frame.seq
    // Resumed: the missed events (seq after ours, up to frame.seq) follow; otherwise a full snapshot.
    if (!frame.resumed || this.lastSeq === null) {
      this.lastSeq = frame.seq
      this.chat = [...frame.chat]
    }
    this.members = new Map(frame.members.map((m) => [m.userId, m]))
    this.hostId = frame.hostId ?? frame.members.find((m) => m.role === 'host')?.userId ?? (frame.you.role === 'host' ? frame.you.userId : null)
    this.backoff.reset()
    this.ticketFailures = 0
    this.superseded = 0
    if (!first) this.clock.reset()
    // A new session: playing again if the player plays (the server forgot it with our last
    // connection), or not playing if an earlier session was told so (it may not have forgotten yet).
    // Before any listener runs, so a report one of them makes is deduplicated against this one.
    if ((this.playing || this.playingSent) && this.socket?.readyState === OPEN) {
      this.playingSent = this.playing
      this.send({ type: 'player.report_playing', playing: this.playing })
    }
    this.setStatus('open')
    this.applyState(frame.state, null, true)
    this.emit('presence', [...this.members.values()], null)
    this.emit('ready', frame)
    this.inflight = []
    this.sendPing()
  }

  private onRoomEvent (frame: RoomEventFrame) {
    if (this.lastSeq !== null && frame.seq <= this.lastSeq) return // already seen (resume overlap)
    this.lastSeq = frame.seq
    const live = frame.seq > this.snapshotSeq // older ones only replay what the snapshot already holds
    switch (frame.type) {
      case 'player.state_changed': {
        const mine = frame.ref?.startsWith(`${this.refPrefix}-`) ?? false
        this.applyState(frame.state, { command: frame.command, actor: frame.actor, seq: frame.seq, mine })
        if (frame.ref) this.settle(frame.ref, null, frame.state)
        return
      }
      case 'presence.joined':
        if (live) this.members.set(frame.member.userId, frame.member)
        return this.emit('presence', [...this.members.values()], { kind: 'joined', member: frame.member })
      case 'presence.left': {
        const member = this.members.get(frame.userId)
        if (live && member) this.members.set(frame.userId, { ...member, online: false })
        return this.emit('presence', [...this.members.values()], { kind: 'left', userId: frame.userId })
      }
      case 'chat.message_sent':
        this.chat.push(frame.message)
        if (this.chat.length > 500) this.chat.shift()
        return this.emit('chat', frame.message)
      case 'chat.reaction_added': return this.emit('reaction', { messageId: frame.messageId, emoji: frame.emoji, userId: frame.userId })
      case 'chat.message_deleted': {
        // Applied even when replayed: a resumed session keeps its chat, and a deletion is final.
        const i = this.chat.findIndex((m) => m.messageId === frame.messageId)
        const message = this.chat[i]
        if (message) this.chat[i] = { ...message, text: '', reactions: {}, deleted: true }
        for (const [ref, p] of this.pending) if (p.messageId === frame.messageId && ref !== frame.ref) this.settle(ref, null)
        if (frame.ref) this.settle(frame.ref, null)
        return this.emit('messageDeleted', { messageId: frame.messageId, actor: frame.actor })
      }
      case 'buffering.changed': return this.emit('buffering', { userId: frame.userId, buffering: frame.buffering, itemId: frame.itemId })
      case 'announcement.sent': return this.emit('announcement', { text: frame.text, scope: frame.scope, at: frame.at, seq: frame.seq })
      case 'room.control_mode_changed': return this.emit('controlMode', frame.controlMode)
      case 'room.closed': return this.emit('roomClosed', frame.reason)
      // Membership frames older than a resume's snapshot are already in it (members, hostId): only live ones
      // change the list and are told, so a listener never applies an old change over a newer snapshot.
      case 'member.left': {
        if (!live) return
        this.members.delete(frame.userId)
        const { userId, name, reason, actor } = frame
        this.emit('memberLeft', { userId, name, reason, actor })
        this.emit('presence', [...this.members.values()], { kind: 'departed', userId, reason })
        // Told about ourselves: final even if the close that follows is lost.
        if (userId === this.session?.you.userId) this.end({ reason, actor }, `membership ended (${reason})`)
        return
      }
      case 'host.changed': {
        if (!live) return
        this.hostId = frame.toUserId
        for (const [userId, m] of this.members) {
          const role = userId === frame.toUserId ? 'host' : 'guest'
          if (m.role !== role) this.members.set(userId, { ...m, role })
        }
        const { fromUserId, toUserId, reason } = frame
        this.emit('hostChanged', { fromUserId, toUserId, reason })
        return this.emit('presence', [...this.members.values()], { kind: 'host', fromUserId, toUserId })
      }
      case 'member.mute_changed': {
        if (!live) return
        const member = this.members.get(frame.userId)
        if (member) this.members.set(frame.userId, { ...member, muted: frame.muted })
        this.emit('muteChanged', { userId: frame.userId, muted: frame.muted, actor: frame.actor })
        return this.emit('presence', [...this.members.values()], { kind: 'muted', userId: frame.userId, muted: frame.muted })
      }
    }
  }

  /** Takes a state only if it is newer (versions only grow), so late or replayed frames never go back. */
  private applyState (state: PlayerState, change: Parameters<RoomClientEvents['state']>[1], force = false) {
    if (this.state && state.version < this.state.version) return
    if (this.state && state.version === this.state.version && !force) return
    const changed = !this.state || state.version !== this.state.version
    this.state = state
    if (changed || change) this.emit('state', state, change)
  }

  private settle (ref: string | undefined, err: RoomError | null, value?: unknown) {
    const p = ref ? this.pending.get(ref) : undefined
    if (!p || !ref) return
    clearTimeout(p.timer)
    this.pending.delete(ref)
    if (err) p.reject(err)
    else p.resolve(value)
  }

  /**
   * Clock pings: during a burst one every BURST_GAP_MS without waiting for answers (a few in
   * flight), then when ClockSync asks for one. Also notices a dead connection (no frame at all).
   */
  private sendPing () {
    clearTimeout(this.clockTimer)
    if (!this.socket || this.socket.readyState !== OPEN) return
    const now = this.now()
    if (now - this.lastFrameAt > (this.opts.deadAfterMs ?? 20_000)) return this.drop()
    this.inflight = this.inflight.filter((sentAt) => now - sentAt < PING_RETRY_MS)
    if (this.inflight.length < MAX_PINGS_IN_FLIGHT && this.clock.needsSample(now)) {
      this.inflight.push(now)
      this.send({ type: 'clock.ping', clientSentAt: now })
    }
    this.scheduleClock()
  }

  private scheduleClock () {
    clearTimeout(this.clockTimer)
    const due = this.clock.nextSampleIn(this.now())
    // Waiting on answers (all slots taken): look again soon; a lost ping frees its slot after PING_RETRY_MS.
    const wait = this.inflight.length >= MAX_PINGS_IN_FLIGHT ? 250 : due
    this.clockTimer = setTimeout(() => this.sendPing(), Math.max(BURST_GAP_MS, wait))
  }
}
