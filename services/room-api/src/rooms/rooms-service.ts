import { randomInt, randomUUID } from 'node:crypto'
import { type ControlMode, type EventPayload, type Room, RoomName } from '@watch-together/protocol'
import type pg from 'pg'
import { isUniqueViolation } from '../db/errors.js'
import { type Db, withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import { appendEvents, type PendingEvent } from '../outbox/outbox-repository.js'
import { roomEvent } from '../outbox/room-events.js'
import { newInviteCode } from './invite-code.js'
import * as repo from './rooms-repository.js'
import type { LockedRoom, MemberRow } from './rooms-repository.js'
import { toFilm, toRoom } from './room-view.js'

export interface CurrentUser { id: string, name: string }
export type CloseReason = 'host' | 'film_ended' | 'empty'

/**
 * Room lifecycle. Every change runs in one transaction that locks the room row, applies the
 * change and appends its events to the outbox; `onEvents` then wakes the relay.
 */
export class RoomsService {
  constructor (private readonly pool: pg.Pool, private readonly onEvents: () => void) {}

  /** One statement (so one implicit transaction): room, host membership, two events. */
  async create (user: CurrentUser, filmId: string, name?: string): Promise<Room> {
    const roomId = randomUUID()
    const events: PendingEvent[] = [
      roomEvent('room.created', roomId, user.id, { filmId, ownerId: user.id, ownerName: user.name, controlMode: 'everyone', ...(name ? { name } : {}) }),
      roomEvent('member.joined', roomId, user.id, { name: user.name, role: 'host' })
    ]
    let row
    try {
      row = await repo.insertRoom(this.pool, { roomId, filmId, ownerId: user.id, ownerName: user.name, inviteCode: newInviteCode(), name: name ?? null, events })
    } catch (err) {
      if (isUniqueViolation(err, 'rooms_one_active_per_owner')) throw errors.alreadyActive(user.id)
      if (name && isUniqueViolation(err, 'rooms_active_name')) throw errors.nameTaken(name, await this.freeName(name))
      throw err
    }
    if (!row) throw errors.filmNotFound()
    this.onEvents()
    // Everything the response shows was written by this statement: no second read.
    return {
      id: roomId,
      name: name ?? null,
      film: toFilm(row.film),
      ownerId: user.id,
      hostId: user.id,
      inviteCode: row.invite_code,
      status: 'active',
      controlMode: 'everyone',
      createdAt: row.created_at.toISOString(),
      closedAt: null,
      members: [{ userId: user.id, name: user.name, role: 'host', joinedAt: row.joined_at.toISOString(), leftAt: null, online: false, muted: false }]
    }
  }

  async details (user: CurrentUser, roomId: string): Promise<Room> {
    const room = await repo.loadRoomView(this.pool, roomId)
    if (!room) throw errors.roomNotFound()
    if (!room.members.some((m) => m.userId === user.id)) throw errors.notMember()
    return room
  }

  /** A free name close to a taken one (`movie-night-2` …), offered with ROOM_NAME_TAKEN. */
  private async freeName (name: string): Promise<string> {
    const base = name.slice(0, 35)
    const candidates = [2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${base}-${n}`)
    const taken = await repo.activeNamesAmong(this.pool, candidates)
    return candidates.find((c) => !taken.has(c)) ?? `${base}-${randomInt(1000, 10000)}`
  }

  /** The room an active name points to (what the invite page and a name lookup show); null when none. */
  async findByName (name: string): Promise<string | null> {
    const parsed = RoomName.safeParse(name)
    if (!parsed.success) return null
    return await repo.activeRoomIdByName(this.pool, parsed.data) ?? null
  }

  async preview (name: string) {
    const roomId = await this.findByName(name)
    const room = roomId ? await repo.loadRoomView(this.pool, roomId) : null
    if (!room?.name) throw errors.nameNotFound()
    const host = room.members.find((m) => m.role === 'host')
    return { id: room.id, name: room.name, film: room.film, hostName: host?.name ?? room.members[0]?.name ?? '' }
  }

  /** Joining by name works exactly like joining by code (same membership rules). */
  async joinByName (user: CurrentUser, name: string): Promise<Room> {
    const roomId = await this.findByName(name)
    if (!roomId) throw errors.nameNotFound()
    return await this.join(user, roomId)
  }

  async joinByCode (user: CurrentUser, code: string): Promise<Room> {
    const roomId = await repo.roomIdByInviteCode(this.pool, code)
    if (!roomId) throw errors.inviteNotFound()
    return await this.join(user, roomId)
  }

  /**
   * Joining again while present changes nothing; a member who left comes back as a guest.
   * The common case (a new guest, an active room, its host there) is one round trip; anything
   * else (rejoin, repeat, an empty room, closed, unknown) takes the locked path below.
   */
  async join (user: CurrentUser, roomId: string): Promise<Room> {
    return (await this.joinReporting(user, roomId)).room
  }

  /** join, also telling whether anything changed (false: already in the room), as the original API reports it. */
  async joinReporting (user: CurrentUser, roomId: string): Promise<{ room: Room, changed: boolean }> {
    const joined = await this.joinAsNewGuest(user, roomId)
    if (joined) {
      this.onEvents()
      return { room: joined, changed: true }
    }
    const written = await withTransaction(this.pool, async (db) => {
      // Lock first, then read: a statement sees the rows committed before it began, so reading
      // members in the locking statement would miss a concurrent join we waited for.
      if (!await repo.lockRoom(db, roomId)) throw errors.roomNotFound()
      const facts = await repo.joinFacts(db, roomId, user.id)
      if (!facts) throw errors.roomNotFound()
      if (facts.status !== 'active') throw errors.roomClosed()
      if (facts.my_id !== null && facts.my_left_at === null) return 0
      if (facts.my_left_reason === 'banned') throw errors.banned()
      // A host who left an empty room keeps the role until someone comes back: the first one back takes over.
      const hostIsMe = facts.host_id === user.id
      const takesOver = facts.host_id === null || (!hostIsMe && facts.host_left_at !== null)
      if (takesOver && facts.host_id !== null) {
        await repo.setRole(db, roomId, facts.host_id, 'guest')
      }
      const role = hostIsMe || takesOver ? 'host' : 'guest'
      const events = [roomEvent('member.joined', roomId, user.id, { name: user.name, role })]
      if (takesOver) events.push(roomEvent('host.changed', roomId, user.id, { fromUserId: facts.host_id, toUserId: user.id, reason: 'returned' }))
      await repo.writeJoin(db, { roomId, userId: user.id, name: user.name, role, events })
      return events.length
    })
    if (written > 0) this.onEvents()
    return { room: await this.view(roomId), changed: written > 0 }
  }

  /**
   * One statement, so one implicit transaction: bumps the room's seq under its row lock (the WHERE
   * is re-checked on the newest version), adds the guest and the event. A membership that already
   * exists fails the primary key; false sends the caller down the locked path.
   */
  private async joinAsNewGuest (user: CurrentUser, roomId: string): Promise<Room | null> {
    const event = roomEvent('member.joined', roomId, user.id, { name: user.name, role: 'guest' })
    try {
      const row = await repo.insertNewGuest(this.pool, { roomId, userId: user.id, name: user.name, event })
      return row ? toRoom(row) : null
    } catch (err) {
      if (isUniqueViolation(err, 'room_members_pkey')) return null
      throw err
    }
  }

  /** A guest leaving never closes the room; a leaving host hands over to the longest-present member. */
  async leave (user: CurrentUser, roomId: string): Promise<void> {
    await this.change(roomId, async (db, room) => {
      if (room.status !== 'active') throw errors.roomClosed()
      const me = await member(db, roomId, user.id)
      if (!me || me.left_at !== null) throw errors.notMember()
      return await endMembership(db, roomId, me, { name: me.name, reason: 'left' })
    })
  }

  /**
   * Host only: ends another member's membership now (their sockets close, their tickets stop
   * working); with `ban` the invite no longer admits them while the room lives.
   */
  async remove (user: CurrentUser, roomId: string, targetId: string, ban: boolean): Promise<Room> {
    await this.change(roomId, async (db, room) => {
      const target = await moderationTarget(db, room, user.id, targetId)
      return await endMembership(db, roomId, target, { name: target.name, reason: ban ? 'banned' : 'removed', actorId: user.id })
    })
    return await this.view(roomId)
  }

  /** Host only: mutes or unmutes a member in chat; setting what is already set changes nothing. */
  async setMuted (user: CurrentUser, roomId: string, targetId: string, muted: boolean): Promise<Room> {
    await this.change(roomId, async (db, room) => {
      const target = await moderationTarget(db, room, user.id, targetId)
      if (target.muted === muted) return []
      await repo.setMuted(db, roomId, targetId, muted)
      return [roomEvent('member.mute_changed', roomId, targetId, { actorId: user.id, muted })]
    })
    return await this.view(roomId)
  }

  /**
   * The host has had no connection for the grace period: the role passes to the longest-present
   * online member. Re-checked under the room's lock; false when nothing changed.
   */
  async handOverAbsentHost (roomId: string, graceMs: number): Promise<boolean> {
    let moved = false
    await this.change(roomId, async (db, room) => {
      if (room.status !== 'active') return []
      const row = await repo.absentHost(db, roomId, graceMs)
      if (!row?.next_id) return []
      await moveHost(db, roomId, row.host_id, row.next_id)
      moved = true
      return [roomEvent('host.changed', roomId, null, { fromUserId: row.host_id, toUserId: row.next_id, reason: 'absent' })]
    }, () => {})
    return moved
  }

  async close (user: CurrentUser, roomId: string): Promise<Room> {
    await this.change(roomId, async (db, room) => {
      if (room.status !== 'active') throw errors.roomClosed()
      await requireHost(db, roomId, user.id)
      return await closeLocked(db, roomId, user.id, 'host')
    })
    return await this.view(roomId)
  }

  /** Closing for the system (film ended, empty too long): a no-op unless the room is active. */
  async closeBySystem (roomId: string, reason: CloseReason): Promise<boolean> {
    let closed = false
    await this.change(roomId, async (db, room) => {
      if (room.status !== 'active') return []
      // Someone came back after the sweeper picked the room: it stays open.
      if (reason === 'empty' && room.emptied_at === null) return []
      closed = true
      return await closeLocked(db, roomId, null, reason)
    }, () => { closed = false })
    return closed
  }

  async setControlMode (user: CurrentUser, roomId: string, controlMode: ControlMode): Promise<Room> {
    await this.change(roomId, async (db, room) => {
      if (room.status !== 'active') throw errors.roomClosed()
      await requireHost(db, roomId, user.id)
      if (room.control_mode === controlMode) return []
      await repo.setControlMode(db, roomId, controlMode)
      return [roomEvent('room.control_mode_changed', roomId, user.id, { controlMode })]
    })
    return await this.view(roomId)
  }

  async transferHost (user: CurrentUser, roomId: string, toUserId: string): Promise<Room> {
    await this.change(roomId, async (db, room) => {
      if (room.status !== 'active') throw errors.roomClosed()
      await requireHost(db, roomId, user.id)
      if (toUserId === user.id) return []
      const target = await member(db, roomId, toUserId)
      if (!target || target.left_at !== null) throw errors.targetNotPresent()
      await moveHost(db, roomId, user.id, toUserId)
      return [roomEvent('host.changed', roomId, user.id, { fromUserId: user.id, toUserId, reason: 'transfer' })]
    })
    return await this.view(roomId)
  }

  /** What a realtime ticket needs; only a present member of an active room gets one. */
  async ticketFacts (user: CurrentUser, roomId: string) {
    const row = await repo.ticketFacts(this.pool, roomId, user.id)
    if (!row) throw errors.roomNotFound()
    if (row.status !== 'active') throw errors.roomClosed()
    if (!row.role || row.left_at !== null) throw errors.notMember()
    // The film's length lets realtime check a reported end of the film on its own (ticket claim `film`).
    // The epoch ties the ticket to this membership: once it ends, realtime refuses the ticket.
    // Epoch 0 marks a membership from before epochs existed: its ticket carries none (then only an ended membership refuses it).
    const epoch = Number(row.epoch)
    return { role: row.role, controlMode: row.control_mode, film: { id: row.film_id, durationMs: row.duration_sec * 1000 }, ...(epoch > 0 ? { epoch } : {}) }
  }

  private async view (roomId: string): Promise<Room> {
    const room = await repo.loadRoomView(this.pool, roomId)
    if (!room) throw errors.roomNotFound()
    return room
  }

  /** Locks the room, runs `apply`, appends the events it returns, commits, wakes the relay. */
  private async change (roomId: string, apply: (db: Db, room: LockedRoom) => Promise<PendingEvent[]>, onMissing?: () => void) {
    const written = await withTransaction(this.pool, async (db) => {
      const room = await repo.lockRoom(db, roomId)
      if (!room) {
        if (onMissing) { onMissing(); return 0 }
        throw errors.roomNotFound()
      }
      const events = await apply(db, room)
      await appendEvents(db, roomId, events)
      return events.length
    })
    if (written > 0) this.onEvents()
  }
}

const member = repo.memberOf

async function requireHost (db: Db, roomId: string, userId: string) {
  const me = await member(db, roomId, userId)
  if (!me || me.left_at !== null) throw errors.notMember()
  if (me.role !== 'host') throw errors.notHost()
}

/** The present member a host moderates: never the host themself. */
async function moderationTarget (db: Db, room: LockedRoom, actorId: string, targetId: string): Promise<MemberRow> {
  if (room.status !== 'active') throw errors.roomClosed()
  await requireHost(db, room.id, actorId)
  if (targetId === actorId) throw errors.moderateSelf()
  const target = await member(db, room.id, targetId)
  if (!target || target.left_at !== null) throw errors.memberNotFound()
  return target
}

/**
 * Ends a present membership (left, removed or banned): the member.left event makes realtime close
 * their sockets and refuse their tickets. A leaving host hands the role to the longest-present
 * member; the last one out marks the room empty.
 */
async function endMembership (db: Db, roomId: string, me: MemberRow, payload: EventPayload<'member.left'>): Promise<PendingEvent[]> {
  await repo.markLeft(db, roomId, me.user_id, payload.reason)
  const events = [roomEvent('member.left', roomId, me.user_id, payload)]
  const next = await repo.firstPresentMember(db, roomId)
  if (!next) {
    await repo.markEmptiedByLeave(db, roomId, me.role === 'host')
  } else if (me.role === 'host') {
    await moveHost(db, roomId, me.user_id, next)
    events.push(roomEvent('host.changed', roomId, me.user_id, { fromUserId: me.user_id, toUserId: next, reason: 'left' }))
  }
  return events
}

/** Demote first: the partial unique index allows one host per room at any moment. */
async function moveHost (db: Db, roomId: string, fromUserId: string, toUserId: string) {
  await repo.setRole(db, roomId, fromUserId, 'guest')
  await repo.setRole(db, roomId, toUserId, 'host')
}

async function closeLocked (db: Db, roomId: string, userId: string | null, reason: CloseReason): Promise<PendingEvent[]> {
  await repo.closeRoom(db, roomId, reason)
  return [roomEvent('room.closed', roomId, userId, { reason })]
}
