import type { ControlMode, LeaveReason, Room } from '@watch-together/protocol'
import type pg from 'pg'
import type { Db } from '../db/transaction.js'
import { insertEventsFromS, type PendingEvent } from '../outbox/outbox-repository.js'
import { FILM_COLUMNS, type FilmRow, MEMBER_JSON, type RoomViewRow, toRoom } from './room-view.js'

/**
 * The rooms and room_members tables: every statement about them lives here; rooms-service holds
 * the rules. Functions take the pool for a statement of its own (one implicit transaction) or the
 * caller's transaction client (`Db`) for a step of a locked change.
 */

type Queryable = Pick<pg.Pool, 'query'> | Db

export interface LockedRoom { id: string, status: string, control_mode: ControlMode, emptied_at: Date | null }
export interface JoinFacts {
  status: string, my_id: string | null, my_left_at: Date | null, my_left_reason: LeaveReason | null, host_id: string | null, host_left_at: Date | null
}
export interface MemberRow { user_id: string, name: string, role: 'host' | 'guest', left_at: Date | null, muted: boolean }

/** A room with its film and members, in one round trip (members aggregated as JSON). */
export async function loadRoomView (db: Queryable, roomId: string): Promise<Room | null> {
  const { rows } = await db.query<RoomViewRow>({
    name: 'room-view',
    text: `
    SELECT r.id, r.name, r.owner_id, r.invite_code, r.status, r.control_mode, r.created_at, r.closed_at,
      row_to_json(f) AS film,
      COALESCE((SELECT json_agg(${MEMBER_JSON} ORDER BY m.joined_at, m.user_id)
        FROM room_members m WHERE m.room_id = r.id), '[]') AS members
    FROM rooms r JOIN films f ON f.id = r.film_id
    WHERE r.id = $1`,
    values: [roomId]
  })
  const row = rows[0]
  return row ? toRoom(row) : null
}

export interface NewRoom {
  roomId: string
  filmId: string
  ownerId: string
  ownerName: string
  inviteCode: string
  name: string | null
  /** room.created and the host's member.joined, numbered 1.. by this statement. */
  events: PendingEvent[]
}

/**
 * One statement (so one implicit transaction): the room, its host's membership (epoch 2, the seq
 * of their member.joined) and its first events. Undefined when the film does not exist.
 */
export async function insertRoom (pool: pg.Pool, room: NewRoom) {
  const created = await pool.query<{ invite_code: string, created_at: Date, joined_at: Date, film: FilmRow }>({
    name: 'room-create',
    text: `
    WITH film AS (SELECT ${FILM_COLUMNS} FROM films f WHERE f.id = $2),
    room AS (
      INSERT INTO rooms (id, film_id, owner_id, owner_name, invite_code, event_seq, name)
      SELECT $1, film.id, $3, $4, $5, $6, $8 FROM film
      RETURNING id, invite_code, created_at, event_seq),
    s AS (SELECT event_seq FROM room),
    host AS (INSERT INTO room_members (room_id, user_id, name, role, epoch) SELECT id, $3, $4, 'host', 2 FROM room RETURNING joined_at),
    events AS (${insertEventsFromS('$6', '$7')})
    SELECT room.invite_code, room.created_at, host.joined_at, row_to_json(film) AS film FROM room, host, film`,
    values: [room.roomId, room.filmId, room.ownerId, room.ownerName, room.inviteCode, room.events.length,
      JSON.stringify(room.events.map((e, i) => ({ ...e, seq: i + 1 }))), room.name]
  })
  return created.rows[0]
}

/** Which of `names` active rooms use. */
export async function activeNamesAmong (pool: pg.Pool, names: string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ name: string }>(
    "SELECT name FROM rooms WHERE status = 'active' AND name = ANY($1::text[])", [names])
  return new Set(rows.map((r) => r.name))
}

export async function activeRoomIdByName (pool: pg.Pool, name: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string }>("SELECT id FROM rooms WHERE name = $1 AND status = 'active'", [name])
  return rows[0]?.id
}

export async function roomIdByInviteCode (pool: pg.Pool, code: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM rooms WHERE invite_code = $1', [code])
  return rows[0]?.id
}

/** The room's row lock for the rest of the transaction; undefined when there is no such room. */
export async function lockRoom (db: Db, roomId: string): Promise<LockedRoom | undefined> {
  const { rows } = await db.query<LockedRoom>('SELECT id, status, control_mode, emptied_at FROM rooms WHERE id = $1 FOR UPDATE', [roomId])
  return rows[0]
}

/** What a join on the locked path decides by: the room's status, my membership, the host's. */
export async function joinFacts (db: Db, roomId: string, userId: string): Promise<JoinFacts | undefined> {
  const { rows } = await db.query<JoinFacts>({
    name: 'join-facts',
    text: `
    SELECT r.status, me.user_id AS my_id, me.left_at AS my_left_at, me.left_reason AS my_left_reason,
      h.user_id AS host_id, h.left_at AS host_left_at
    FROM rooms r
    LEFT JOIN room_members me ON me.room_id = r.id AND me.user_id = $2
    LEFT JOIN room_members h ON h.room_id = r.id AND h.role = 'host'
    WHERE r.id = $1`,
    values: [roomId, userId]
  })
  return rows[0]
}

/**
 * A (re)join on the locked path: bumps the room's seq by the events' count, writes the membership
 * (its epoch is the seq of its member.joined, the first of `events`) and appends the events.
 */
export async function writeJoin (db: Db, join: { roomId: string, userId: string, name: string, role: 'host' | 'guest', events: PendingEvent[] }) {
  await db.query({
    name: 'join-write',
    text: `
    WITH s AS (UPDATE rooms SET emptied_at = NULL, host_present = host_present OR $4 = 'host', event_seq = event_seq + $5
      WHERE id = $1 RETURNING event_seq),
    joined AS (
      INSERT INTO room_members (room_id, user_id, name, role, epoch) SELECT $1, $2, $3, $4, s.event_seq - $5 + 1 FROM s
      ON CONFLICT (room_id, user_id) DO UPDATE
        SET name = EXCLUDED.name, role = EXCLUDED.role, joined_at = clock_timestamp(), left_at = NULL, left_reason = NULL,
          muted = false, online = false, offline_since = clock_timestamp(), epoch = EXCLUDED.epoch)
    ${insertEventsFromS('$5', '$6')}`,
    values: [join.roomId, join.userId, join.name, join.role, join.events.length, JSON.stringify(join.events.map((e) => ({ ...e, seq: 0 })))]
  })
}

/**
 * One statement, so one implicit transaction: bumps the room's seq under its row lock (the WHERE
 * is re-checked on the newest version), adds the guest and the event, and returns the room view
 * (members already there as of the statement's snapshot, plus the new one from the INSERT's
 * RETURNING). Undefined when the room is not active with its host present; a membership that
 * already exists fails the primary key (room_members_pkey).
 */
export async function insertNewGuest (pool: pg.Pool, guest: { roomId: string, userId: string, name: string, event: PendingEvent }) {
  const res = await pool.query<RoomViewRow>({
    name: 'join-new-guest',
    text: `
    WITH s AS (
      UPDATE rooms SET emptied_at = NULL, event_seq = event_seq + 1
      WHERE id = $1 AND status = 'active' AND host_present
      RETURNING id, name, film_id, owner_id, invite_code, status, control_mode, created_at, closed_at, event_seq),
    joined AS (
      INSERT INTO room_members (room_id, user_id, name, role, epoch) SELECT $1, $2, $3, 'guest', s.event_seq FROM s
      RETURNING user_id, name, role, joined_at, left_at, online, muted),
    events AS (${insertEventsFromS('1', '$4')})
    SELECT s.id, s.name, s.owner_id, s.invite_code, s.status, s.control_mode, s.created_at, s.closed_at,
      row_to_json(f) AS film,
      (SELECT json_agg(${MEMBER_JSON} ORDER BY m.joined_at, m.user_id)
        FROM (SELECT user_id, name, role, joined_at, left_at, online, muted FROM room_members WHERE room_id = $1
              UNION ALL SELECT * FROM joined) m) AS members
    FROM s JOIN films f ON f.id = s.film_id`,
    values: [guest.roomId, guest.userId, guest.name, JSON.stringify([{ ...guest.event, seq: 0 }])]
  })
  return res.rows[0]
}

export async function memberOf (db: Db, roomId: string, userId: string): Promise<MemberRow | undefined> {
  const { rows } = await db.query<MemberRow>(
    'SELECT user_id, name, role, left_at, muted FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, userId])
  return rows[0]
}

export async function setRole (db: Db, roomId: string, userId: string, role: 'host' | 'guest'): Promise<void> {
  await db.query('UPDATE room_members SET role = $3 WHERE room_id = $1 AND user_id = $2', [roomId, userId, role])
}

export async function setMuted (db: Db, roomId: string, userId: string, muted: boolean): Promise<void> {
  await db.query('UPDATE room_members SET muted = $3 WHERE room_id = $1 AND user_id = $2', [roomId, userId, muted])
}

export async function markLeft (db: Db, roomId: string, userId: string, reason: LeaveReason): Promise<void> {
  await db.query(`UPDATE room_members SET left_at = clock_timestamp(), left_reason = $3, online = false, offline_since = clock_timestamp()
    WHERE room_id = $1 AND user_id = $2`, [roomId, userId, reason])
}

/** The longest-present member still in the room, if any. */
export async function firstPresentMember (db: Db, roomId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM room_members WHERE room_id = $1 AND left_at IS NULL ORDER BY joined_at, user_id LIMIT 1', [roomId])
  return rows[0]?.user_id
}

/** The last one out: the room is empty from now (and without its host if the host left). */
export async function markEmptiedByLeave (db: Db, roomId: string, hostLeft: boolean): Promise<void> {
  await db.query('UPDATE rooms SET emptied_at = now(), host_present = host_present AND NOT $2 WHERE id = $1', [roomId, hostLeft])
}

/**
 * The room's host if offline for the grace period, with the longest-present online member to take
 * over (null when none). Locks the host's row: waits for a presence update of the host in flight,
 * then re-checks it, so a host who just came back keeps the role.
 */
export async function absentHost (db: Db, roomId: string, graceMs: number) {
  const { rows } = await db.query<{ host_id: string, next_id: string | null }>(`
    SELECT h.user_id AS host_id,
      (SELECT m.user_id FROM room_members m
        WHERE m.room_id = h.room_id AND m.left_at IS NULL AND m.online AND m.user_id <> h.user_id
        ORDER BY m.joined_at, m.user_id LIMIT 1) AS next_id
    FROM room_members h
    WHERE h.room_id = $1 AND h.role = 'host' AND h.left_at IS NULL AND NOT h.online
      AND h.offline_since <= now() - make_interval(secs => $2::double precision / 1000)
    FOR UPDATE OF h`, [roomId, graceMs])
  return rows[0]
}

export async function closeRoom (db: Db, roomId: string, reason: string): Promise<void> {
  await db.query(
    "UPDATE rooms SET status = 'closed', closed_at = now(), close_reason = $2, emptied_at = NULL WHERE id = $1", [roomId, reason])
}

export async function setControlMode (db: Db, roomId: string, controlMode: ControlMode): Promise<void> {
  await db.query('UPDATE rooms SET control_mode = $2 WHERE id = $1', [roomId, controlMode])
}

/** What a realtime ticket is made from: the room, its film's length and my membership (nulls when not a member). */
export async function ticketFacts (pool: pg.Pool, roomId: string, userId: string) {
  const { rows } = await pool.query<{
    status: string,
    control_mode: ControlMode,
    film_id: string,
    duration_sec: number,
    role: 'host' | 'guest' | null,
    left_at: Date | null,
    name: string | null,
    epoch: string | null
  }>({
    name: 'ticket-facts-film',
    text: `
    SELECT r.status, r.control_mode, r.film_id, f.duration_sec, m.role, m.left_at, m.name, m.epoch
    FROM rooms r JOIN films f ON f.id = r.film_id LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2
    WHERE r.id = $1`,
    values: [roomId, userId]
  })
  return rows[0]
}

/** What an invitation to friends carries, and whether the inviter is present. */
export async function invitationFacts (db: Db, roomId: string, userId: string) {
  const { rows } = await db.query<{ status: string, invite_code: string, name: string | null, film_id: string, title: string, present: boolean }>(`
    SELECT r.status, r.invite_code, r.name, r.film_id, f.title,
      EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = $2 AND m.left_at IS NULL) AS present
    FROM rooms r JOIN films f ON f.id = r.film_id WHERE r.id = $1`, [roomId, userId])
  return rows[0]
}

export interface InviteTarget {
  id: string, status: string, name: string | null, invite_code: string, title: string, poster_url: string | null, description: string, host_name: string
}

/** The room an invite link names: by code first, else an active room's name (either may be null). */
export async function inviteTarget (pool: pg.Pool, code: string | null, name: string | null): Promise<InviteTarget | undefined> {
  const { rows } = await pool.query<InviteTarget>(`
    SELECT r.id, r.status, r.name, r.invite_code, f.title, f.poster_url, f.description,
      COALESCE((SELECT m.name FROM room_members m WHERE m.room_id = r.id AND m.role = 'host'), r.owner_name) AS host_name
    FROM rooms r JOIN films f ON f.id = r.film_id
    WHERE r.invite_code = $1 OR (r.name = $2 AND r.status = 'active')
    ORDER BY (r.invite_code = $1) DESC LIMIT 1`, [code, name])
  return rows[0]
}

/** Active rooms empty for longer than the grace period, oldest first (a sweep's batch). */
export async function roomsEmptyPastGrace (pool: pg.Pool, graceMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM rooms
    WHERE status = 'active' AND emptied_at IS NOT NULL AND emptied_at <= now() - make_interval(secs => $1::double precision / 1000)
    ORDER BY emptied_at LIMIT 100`, [graceMs])
  return rows.map((r) => r.id)
}

/** Rooms whose host has been offline for the grace period while someone else is online (a sweep's batch). */
export async function roomsWithAbsentHost (pool: pg.Pool, graceMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ room_id: string }>(`SELECT h.room_id FROM room_members h
    WHERE h.role = 'host' AND h.left_at IS NULL AND NOT h.online
      AND h.offline_since <= now() - make_interval(secs => $1::double precision / 1000)
      AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = h.room_id AND m.left_at IS NULL AND m.online AND m.user_id <> h.user_id)
    ORDER BY h.offline_since LIMIT 100`, [graceMs])
  return rows.map((r) => r.room_id)
}

/** Realtime saw the last connection go (at `atMs`); kept if already set. */
export async function markRoomEmptied (pool: pg.Pool, roomId: string, atMs: number): Promise<void> {
  await pool.query(`UPDATE rooms SET emptied_at = COALESCE(emptied_at, to_timestamp($2::double precision / 1000))
    WHERE id = $1 AND status = 'active'`, [roomId, atMs])
}

/** A member connected: online, and the room no longer empty. */
export async function markMemberOnline (pool: pg.Pool, roomId: string, userId: string): Promise<void> {
  await pool.query(`WITH m AS (UPDATE room_members SET online = true, offline_since = NULL WHERE room_id = $1 AND user_id = $2)
    UPDATE rooms SET emptied_at = NULL WHERE id = $1 AND status = 'active'`, [roomId, userId])
}

/** A member's last connection went: offline from now (kept if already offline). */
export async function markMemberOffline (pool: pg.Pool, roomId: string, userId: string): Promise<void> {
  await pool.query(`UPDATE room_members SET online = false, offline_since = now()
    WHERE room_id = $1 AND user_id = $2 AND online`, [roomId, userId])
}

export async function isRoomFilm (pool: pg.Pool, roomId: string, filmId: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM rooms WHERE id = $1 AND film_id = $2', [roomId, filmId])
  return (rowCount ?? 0) > 0
}

/** The archive worker finished a closed room; an active room is never archived. */
export async function markArchived (pool: pg.Pool, roomId: string): Promise<void> {
  await pool.query(`UPDATE rooms SET status = 'archived', archived_at = now()
    WHERE id = $1 AND status = 'closed'`, [roomId])
}

/** What the call needs of a room and one of its members (call token, the host's call moderation): one round trip. */
export async function callFacts (db: Queryable, roomId: string, userId: string) {
  const { rows } = await db.query<{ status: string, role: 'host' | 'guest' | null, left_at: Date | null, left_reason: LeaveReason | null, name: string | null }>({
    name: 'call-facts',
    text: `SELECT r.status, m.role, m.left_at, m.left_reason, m.name
      FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
    values: [roomId, userId]
  })
  return rows[0]
}
