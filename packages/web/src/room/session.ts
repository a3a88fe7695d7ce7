import { type ConnectionStatus, type MembershipEnded, RoomClient, type RoomCounters } from '@watch-together/client'
import type { Announcement } from '@watch-together/client'
import type { ChatMessage, Film, FloatingReaction, LeaveReason, Member, Room, RoomMember } from '@watch-together/protocol'
import { ApiError, rooms as roomsApi } from '../api.js'
import { errorText, t } from '../i18n/index.js'
import { saveChat } from './saved-chat.js'

export type GoneReason = LeaveReason | 'gone' | 'banned-invite'
/** How the page left the room: closed (for everyone) or gone (this member's membership ended). */
export type Ending = { kind: 'closed', reason: string } | { kind: 'gone', reason: GoneReason } | { kind: 'left' }

export interface MemberRow { userId: string, name: string, online: boolean, host: boolean, muted: boolean }
export interface Floating { id: number, emoji: FloatingReaction, name: string, left: number }

/**
 * Reconnect quickly — every 0.25–0.5 s while an outage lasts: a watch party out of sync for seconds is
 * the failure users notice. Each try is one TCP connect to realtime (the ticket is reused, below), never
 * a room-api call; the jitter spreads a room's members when realtime comes back.
 */
const RECONNECT = { initialDelayMs: 200, maxDelayMs: 500, factor: 1.5, jitter: 0.5 }
const NOTICE_MS = 6000
/**
 * While reconnecting fails (an outage), the ticket fetched for the first retry is reused this long
 * (tickets live a minute): an outage costs realtime retries, not a room-api call each second.
 */
const TICKET_REUSE_MS = 30_000
/** Closes that refuse the ticket itself (expired, bad, of an earlier membership): the next try asks for a fresh one. */
const TICKET_CLOSES = new Set([4001, 4002, 4014])
const FLOAT_MS = 3500

/**
 * One member's live room, framework-free: the SDK's RoomClient, room-api's view of the room kept
 * current by pushed frames (host, lock, members, mutes: nothing polls), chat, typing, floating
 * reactions, the connection's truth (status, when the next retry is), and a notice line. Components
 * subscribe and re-render; nothing here touches the DOM except the browser's online/visibility events.
 */
export class RoomSession {
  room: Room
  readonly client: RoomClient
  notice = ''
  ending: Ending | null = null
  connection: { status: ConnectionStatus, retryAt: number | null } = { status: 'connecting', retryAt: null }
  readonly chat = new Map<string, ChatMessage>()
  readonly typing = new Map<string, string>()
  readonly buffering = new Set<string>()
  announcements: Announcement[] = []
  floats: Floating[] = []
  counters: RoomCounters | null = null
  private live: Member[] = []
  private listeners = new Set<() => void>()
  private noticeTimer: ReturnType<typeof setTimeout> | undefined
  private generation = 0
  private floatId = 0
  private leaving = false
  private readonly offs: Array<() => void> = []
  /** The last ticket, and whether a connection opened since it was fetched (then the next try gets a fresh one). */
  private ticket: { value: string, at: number, opened: boolean } | null = null

  constructor (initial: Room, readonly films: Map<string, Film>, readonly myId: string, realtimeUrl: string) {
    this.room = initial
    this.client = new RoomClient({
      url: realtimeUrl,
      roomId: initial.id,
      reconnect: RECONNECT,
      // Tickets live a minute: a fresh one for every (re)connect. A membership that ended meanwhile
      // (room-api no longer gives a ticket) ends the page instead of retrying for ever.
      ticket: async () => {
        if (this.ticket && !this.ticket.opened && Date.now() - this.ticket.at < TICKET_REUSE_MS) return this.ticket.value
        try {
          const { ticket } = await roomsApi.ticket(initial.id)
          this.ticket = { value: ticket, at: Date.now(), opened: false }
          return ticket
        } catch (err) {
          if (err instanceof ApiError && err.code === 'ROOM_CLOSED') this.end({ kind: 'closed', reason: 'closed' })
          if (err instanceof ApiError && err.code === 'ROOM_NOT_MEMBER') this.end({ kind: 'gone', reason: 'gone' })
          throw err
        }
      }
    })
    this.wire()
    // Back online, or the tab shown again: retry now rather than when the backoff says.
    const retry = () => { if (document.visibilityState === 'visible') this.client.reconnectNow() }
    window.addEventListener('online', retry)
    document.addEventListener('visibilitychange', retry)
    this.offs.push(() => { window.removeEventListener('online', retry); document.removeEventListener('visibilitychange', retry) })
  }

  subscribe (fn: () => void): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  private changed () { for (const fn of [...this.listeners]) fn() }

  connect () {
    this.client.connect().catch((err: unknown) => { if (!this.ending) this.notify(errorText(err)) })
  }

  get open () { return this.connection.status === 'open' }

  notify (text: string) {
    this.notice = text
    clearTimeout(this.noticeTimer)
    this.noticeTimer = setTimeout(() => { this.notice = ''; this.changed() }, NOTICE_MS)
    this.changed()
  }

  /** A refused command or call, in words from the catalogue. */
  fail = (err: unknown) => { this.notify(errorText(err)) }

  setRoom (room: Room) {
    this.generation++
    this.room = room
    if (room.status !== 'active') this.end({ kind: 'closed', reason: room.status })
    this.changed()
  }

  async refreshRoom () {
    const mine = ++this.generation
    try {
      const { room } = await roomsApi.get(this.room.id)
      if (mine === this.generation && !this.ending) this.setRoom(room)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ROOM_CLOSED') this.end({ kind: 'closed', reason: 'closed' })
    }
  }

  isHost () { return this.room.members.some((m) => m.userId === this.myId && m.role === 'host' && !m.leftAt) }
  isMuted () { return this.room.members.find((m) => m.userId === this.myId && !m.leftAt)?.muted ?? false }
  get controlMode () { return this.room.controlMode }

  /** Members: room-api's view (roles, mutes; kept current by pushed frames) with realtime's presence. */
  rows (): MemberRow[] {
    const byId = new Map<string, MemberRow>()
    for (const m of this.room.members) {
      if (m.leftAt) continue
      byId.set(m.userId, { userId: m.userId, name: m.name, online: false, host: m.role === 'host', muted: m.muted })
    }
    for (const m of this.live) {
      const known = byId.get(m.userId)
      byId.set(m.userId, known ? { ...known, online: m.online } : { userId: m.userId, name: m.name, online: m.online, host: m.role === 'host', muted: m.muted ?? false })
    }
    return [...byId.values()]
  }

  /** The film playing now (the room's current item), falling back to the room's film before the first state. */
  currentFilm (): Film {
    const id = this.client.state?.itemId ?? this.room.film.id
    return this.films.get(id) ?? (id === this.room.film.id ? this.room.film : { ...this.room.film, id, title: id })
  }

  queue (): Array<{ film: Film, index: number, current: boolean }> {
    const state = this.client.state
    if (!state) return []
    return state.queue.map((id, index) => ({ film: this.films.get(id) ?? { ...this.room.film, id, title: id }, index, current: index === state.index }))
  }

  messages (): ChatMessage[] { return [...this.chat.values()] }

  float (emoji: FloatingReaction) {
    try { this.client.float(emoji) } catch (err) { this.fail(err) }
  }

  async leave () {
    this.leaving = true
    try {
      await roomsApi.leave(this.room.id)
    } catch (err) {
      this.leaving = false
      // Out already (the host removed us meanwhile) or the room closed: that screen, not an error.
      if (this.client.ended) return this.ended(this.client.ended)
      if (err instanceof ApiError && err.code === 'ROOM_CLOSED') return this.end({ kind: 'closed', reason: 'closed' })
      throw err
    }
    this.end({ kind: 'left' })
  }

  end (ending: Ending) {
    if (this.ending) return
    this.ending = ending
    this.stop()
    this.changed()
  }

  private ended (why: MembershipEnded | null) {
    if (this.leaving) return
    this.end({ kind: 'gone', reason: why?.reason ?? 'gone' })
  }

  stop () {
    clearTimeout(this.noticeTimer)
    for (const off of this.offs.splice(0)) off()
    this.client.close()
  }

  /** A pushed change applied at once, then room-api asked once for the whole truth (names of members who never connected). */
  private pushed (change: (members: RoomMember[]) => RoomMember[], extra: Partial<Room> = {}) {
    this.setRoom({ ...this.room, ...extra, members: change(this.room.members) })
    this.refreshRoom().catch(() => {})
  }

  private addMessage (message: ChatMessage) {
    this.chat.set(message.messageId, message)
    saveChat(this.room.id, this.messages())
  }

  private wire () {
    const { client } = this
    const on = client.on.bind(client)
    this.offs.push(
      on('connection', (status, info) => {
        if (info.code !== undefined && TICKET_CLOSES.has(info.code)) this.ticket = null
        if (status === 'open' && this.ticket) this.ticket.opened = true
        this.connection = { status, retryAt: status === 'reconnecting' && info.retryInMs !== undefined ? Date.now() + info.retryInMs : null }
        // Presence, counters and typing are only true while connected: cleared, not left stale.
        if (status !== 'open') { this.live = this.live.map((m) => ({ ...m, online: false })); this.counters = null; this.typing.clear(); this.buffering.clear() }
        if (status === 'closed' && info.code === 4010) this.end({ kind: 'closed', reason: 'closed' })
        this.changed()
      }),
      on('roomClosed', (reason) => this.end({ kind: 'closed', reason })),
      on('membershipEnded', (why) => this.ended(why)),
      on('error', (err) => { if (err.code !== 'WT_CLOSED' && err.code !== 'WT_NOT_CONNECTED') this.fail(err) }),
      on('ready', () => {
        this.live = [...client.members.values()]
        this.chat.clear()
        for (const m of client.chat) this.chat.set(m.messageId, m)
        saveChat(this.room.id, this.messages())
        this.counters = client.counters
        // Changes while away are in the snapshot; room-api's view is asked once to match it.
        this.refreshRoom().catch(() => {})
        // The server queues the room's film; "next film" still offers the rest of the catalog, appended
        // once by the host (never a replace: the queue is the server's).
        const state = client.state
        const rest = [...this.films.keys()].filter((id) => id !== this.room.film.id)
        if (client.isHost() && state?.queue.length === 1 && state.queue[0] === this.room.film.id && rest.length > 0) {
          client.appendQueue(rest).catch(() => {})
        }
        this.changed()
      }),
      on('state', () => this.changed()),
      on('controlMode', (mode) => this.pushed((members) => members, { controlMode: mode })),
      on('memberLeft', ({ userId }) => {
        const leftAt = new Date().toISOString()
        this.pushed((members) => members.map((m) => m.userId === userId ? { ...m, leftAt } : m))
      }),
      on('hostChanged', ({ toUserId }) => {
        this.pushed((members) => members.map((m) => ({ ...m, role: m.userId === toUserId ? 'host' : 'guest' })), { hostId: toUserId })
        if (toUserId === this.myId) this.notify(t('room.host.youAreHost'))
      }),
      on('muteChanged', ({ userId, muted }) => this.pushed((members) => members.map((m) => m.userId === userId ? { ...m, muted } : m))),
      on('presence', (members, change) => {
        this.live = members
        // Someone room-api's view does not have yet (a new guest): ask for it once.
        if (change?.kind === 'joined' && !this.room.members.some((m) => m.userId === change.member.userId && !m.leftAt)) this.refreshRoom().catch(() => {})
        this.changed()
      }),
      on('buffering', ({ userId, buffering }) => {
        if (buffering) this.buffering.add(userId)
        else this.buffering.delete(userId)
        this.changed()
      }),
      on('counters', (c) => { this.counters = c; this.changed() }),
      on('announcement', (a) => {
        if (this.announcements.some((b) => b.seq === a.seq)) return
        this.announcements = [...this.announcements, a].slice(-3)
        this.changed()
      }),
      on('chat', (message) => { this.typing.delete(message.userId); this.addMessage(message); this.changed() }),
      on('messageDeleted', ({ messageId }) => {
        const known = this.chat.get(messageId)
        if (known) this.addMessage({ ...known, text: '', reactions: {}, deleted: true })
        this.changed()
      }),
      on('reaction', ({ messageId, emoji, userId }) => {
        const known = this.chat.get(messageId)
        if (!known) return
        const who = known.reactions[emoji] ?? []
        if (who.includes(userId)) return
        this.addMessage({ ...known, reactions: { ...known.reactions, [emoji]: [...who, userId] } })
        this.changed()
      }),
      on('typing', ({ userId, name, typing }) => {
        if (userId === this.myId) return
        if (typing) this.typing.set(userId, name)
        else this.typing.delete(userId)
        this.changed()
      }),
      on('floated', ({ emoji, name }) => {
        const float: Floating = { id: ++this.floatId, emoji, name, left: 10 + Math.random() * 75 }
        this.floats = [...this.floats, float].slice(-20)
        setTimeout(() => { this.floats = this.floats.filter((f) => f !== float); this.changed() }, FLOAT_MS)
        this.changed()
      })
    )
  }
}
