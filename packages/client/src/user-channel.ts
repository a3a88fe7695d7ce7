import { CLOSE_CODES, UserServerFrame } from '@watch-together/protocol'
import { Backoff, type BackoffOptions } from './backoff.js'
import { Emitter } from './emitter.js'
import { messageText, resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './socket.js'

export type UserReady = Extract<UserServerFrame, { type: 'user.ready' }>
/** A friend invites this person to their room: join it with `inviteCode` (`/rooms/<roomId>?code=<inviteCode>`). */
export type Invitation = Extract<UserServerFrame, { type: 'invitation.received' }>
/** Something changed between this person and `otherUserId` (a request, an acceptance, a removal, a block). */
export type FriendsChanged = Extract<UserServerFrame, { type: 'friends.changed' }>

export type UserChannelStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface UserChannelEvents {
  /** `retryInMs` while waiting to reconnect; `code`/`reason` of the close that caused the change. */
  connection: (status: UserChannelStatus, info: { code?: number, reason?: string, retryInMs?: number }) => void
  ready: (frame: UserReady) => void
  invitation: (invitation: Invitation) => void
  friendsChanged: (change: FriendsChanged) => void
  /** Something went wrong that the channel handles by itself (a ticket refused, a bad frame, a failed provider). */
  error: (err: Error) => void
}

export interface UserChannelOptions {
  /** The realtime service's base URL, e.g. `wss://rt.example.org` (the channel is `<url>/users/ws`). */
  url: string
  /**
   * A function returning a fresh user ticket (room-api's `POST /api/v1/me/ticket`): called on every
   * (re)connect, since tickets live a minute. A plain string works for one connection only.
   */
  ticket: string | (() => string | Promise<string>)
  /** Needed where there is no global WebSocket (Node 20): `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor
  reconnect?: BackoffOptions
  /** Ticket refusals (4001/4002) in a row before giving up; each asks the provider again. Default 3. */
  maxTicketFailures?: number
}

/**
 * A signed-in person's own realtime channel (`/users/ws`, packages/protocol user-channel.ts): live
 * invitations and friend changes, wherever they are in the app. Server → client only. Reconnects with
 * backoff and a fresh ticket after any drop; closes for good on `close()`, on a refused origin (4004),
 * after `maxTicketFailures` refused tickets in a row, or when a static ticket is refused.
 */
export class UserChannel extends Emitter<UserChannelEvents> {
  status: UserChannelStatus = 'idle'
  /** Who the server says this channel belongs to (from user.ready), null before it. */
  you: UserReady['you'] | null = null
  private lastReady: UserReady | null = null

  private readonly WS: WebSocketConstructor
  private readonly backoff: Backoff
  private socket: WebSocketLike | null = null
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private ticketFailures = 0
  private stopped = true
  /** Bumped by close() and every open(): an answer from an older attempt is dropped. */
  private attempt = 0

  constructor (private readonly opts: UserChannelOptions) {
    super()
    this.WS = resolveWebSocket(opts.WebSocket)
    this.backoff = new Backoff(opts.reconnect)
  }

  /** Opens the channel (idempotent while it is open or opening); resolves on user.ready, rejects if it closes first. */
  connect (): Promise<UserReady> {
    const ready = new Promise<UserReady>((resolve, reject) => {
      if (this.status === 'open' && this.lastReady) return resolve(this.lastReady)
      const offReady = this.once('ready', (frame) => { offStatus(); resolve(frame) })
      const offStatus = this.on('connection', (status, info) => {
        if (status === 'closed') { offReady(); offStatus(); reject(new Error(`the user channel closed: ${info.reason ?? info.code ?? 'closed'}`)) }
      })
    })
    if (this.stopped) {
      this.stopped = false
      this.ticketFailures = 0
      this.open().catch(() => {})
    }
    return ready
  }

  /** Closes for good (no reconnect). `connect()` opens it again. */
  close (): void {
    const wasStopped = this.stopped
    this.stopped = true
    this.attempt++
    clearTimeout(this.retryTimer)
    const socket = this.socket
    this.socket = null
    if (socket) {
      socket.onclose = null
      socket.onmessage = null
      try { socket.close(1000, 'closed by the client') } catch {}
    }
    if (!wasStopped || this.status !== 'closed') this.setStatus('closed', { code: 1000, reason: 'closed by the client' })
  }

  /** Drops the connection as a network failure would (it reconnects with a fresh ticket). */
  drop (): void {
    this.socket?.close(4000, 'dropped')
  }

  private setStatus (status: UserChannelStatus, info: { code?: number, reason?: string, retryInMs?: number } = {}) {
    this.status = status
    this.emit('connection', status, info)
  }

  private async open () {
    if (this.stopped) return
    const attempt = ++this.attempt
    this.setStatus(this.you ? 'reconnecting' : 'connecting')
    let ticket: string
    try {
      ticket = typeof this.opts.ticket === 'string' ? this.opts.ticket : await this.opts.ticket()
    } catch (err) {
      if (attempt !== this.attempt || this.stopped) return
      this.emit('error', new Error(`the ticket provider failed: ${(err as Error).message}`))
      return this.retry({ reason: 'no ticket' })
    }
    if (attempt !== this.attempt || this.stopped) return
    let socket: WebSocketLike
    try {
      socket = new this.WS(`${this.opts.url.replace(/\/+$/, '')}/users/ws?ticket=${encodeURIComponent(ticket)}`)
    } catch (err) {
      // A malformed URL: retrying cannot help.
      this.stopped = true
      this.emit('error', new Error(`cannot open the user channel: ${(err as Error).message}`))
      return this.setStatus('closed', { reason: (err as Error).message })
    }
    this.socket = socket
    socket.onmessage = (event) => {
      if (this.socket !== socket) return
      const text = messageText(event.data)
      if (text !== null) this.receive(text)
    }
    socket.onerror = () => {}
    socket.onclose = (event) => { if (this.socket === socket) this.closed(event.code, event.reason) }
  }

  private receive (text: string) {
    let parsed: UserServerFrame
    try {
      const result = UserServerFrame.safeParse(JSON.parse(text))
      if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'unexpected frame')
      parsed = result.data
    } catch (err) {
      // A frame of a newer server (an unknown type) or a broken one: ignored, the channel goes on.
      this.emit('error', new Error(`ignored a frame on the user channel: ${(err as Error).message}`))
      return
    }
    switch (parsed.type) {
      case 'user.ready':
        this.you = parsed.you
        this.lastReady = parsed
        this.ticketFailures = 0
        this.backoff.reset()
        this.setStatus('open')
        this.emit('ready', parsed)
        break
      case 'invitation.received':
        this.emit('invitation', parsed)
        break
      case 'friends.changed':
        this.emit('friendsChanged', parsed)
        break
    }
  }

  private closed (code: number, reason: string) {
    this.socket = null
    if (this.stopped) return
    const ticketRefused = code === CLOSE_CODES.ticketInvalid || code === CLOSE_CODES.ticketExpired
    this.ticketFailures = ticketRefused ? this.ticketFailures + 1 : 0
    if (ticketRefused) this.emit('error', new Error(`the user channel refused the ticket (${code} ${reason})`))
    const staticTicket = typeof this.opts.ticket === 'string'
    if (code === CLOSE_CODES.originNotAllowed || (ticketRefused && staticTicket) || this.ticketFailures > (this.opts.maxTicketFailures ?? 3)) {
      this.stopped = true
      return this.setStatus('closed', { code, reason })
    }
    this.retry({ code, reason })
  }

  private retry (info: { code?: number, reason?: string } = {}) {
    if (this.stopped) return
    const delay = this.backoff.next()
    this.setStatus('reconnecting', { ...info, retryInMs: delay })
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => { this.open().catch(() => {}) }, delay)
  }
}
