// The soak's invariants, read from the servers themselves: the MongoDB archive, Redis's live rooms,
// PostgreSQL's membership, Kafka's consumer groups. Each check returns its violations as sentences.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { MongoClient } from 'mongodb'
import { createAdmin } from '../../packages/kafka/src/index.js'
import { ROOT, sleep } from './targets.js'
import type { AcceptedChat, AcceptedCommand, LeaveTime } from './traffic.js'

// The services' own clients (pg, redis), resolved from the service that uses each.
const pg = createRequire(resolve(ROOT, 'services/room-api/package.json'))('pg')
const { createClient } = createRequire(resolve(ROOT, 'services/realtime/package.json'))('redis')

export interface Names { topic: string, schema: string, prefix: string, mongoDb: string, groups: Record<string, string> }
export interface Env { databaseUrl: string, redisUrl: string, kafkaBrokers: string, mongoUrl: string }

interface EventRow { _id: string, roomId: string, seq: number, source: string, type: string, userId: string | null, payload: any }

/** Frames realtime sends (with a room seq) for room-api's events: their Kafka event is room-api's, not realtime's. */
const ECHOES = new Set(['member.left', 'host.changed', 'member.mute_changed', 'room.control_mode_changed', 'room.closed'])

const STATE_FIELDS = ['version', 'itemId', 'index', 'playing', 'positionMs', 'rate', 'refAt'] as const

/** Adds the soak's film (ten hours: no room reaches its end) to the soak's own schema. */
export async function addFilm (databaseUrl: string, schema: string, filmId: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`INSERT INTO "${schema}".films (id, title, duration_sec, stream_url) VALUES ($1, 'Soak', 36000, 'http://127.0.0.1/soak.mp4') ON CONFLICT DO NOTHING`, [filmId])
  } finally { await client.end().catch(() => {}) }
}

export class Checker {
  private mongo: MongoClient
  private confirmed = new Set<string>()

  constructor (readonly env: Env, readonly names: Names) {
    this.mongo = new MongoClient(env.mongoUrl, { serverSelectionTimeoutMS: 5000 })
  }

  private db () { return this.mongo.db(this.names.mongoDb) }

  /**
   * The continuous check: every message accepted more than `boundMs` ago is in the archive. A
   * stalled consumer (the etl-worker of issue 20 part 1) shows here within the bound. The archive
   * itself may be down at that moment: then nothing is concluded this time.
   */
  async overdue (accepted: AcceptedChat[], boundMs: number): Promise<string[] | null> {
    const now = Date.now()
    const due = accepted.filter((a) => now - a.at > boundMs && !this.confirmed.has(a.messageId))
    if (due.length === 0) return []
    try {
      // The whole collection's ids (the soak's own database): FerretDB uses no index for an _id lookup,
      // so one scan beats an $in of thousands.
      const found = await this.db().collection('chat_messages').find({}, { projection: { _id: 1 }, maxTimeMS: 60_000 }).toArray()
      for (const d of found) this.confirmed.add(String(d._id))
    } catch { return null }
    return due.filter((a) => !this.confirmed.has(a.messageId))
      .map((a) => `chat ${a.messageId} (room ${a.roomId.slice(0, 8)}, seq ${a.seq}) accepted ${Math.round((now - a.at) / 1000)} s ago, not archived`)
  }

  /** Waits until every accepted message is archived (or `timeoutMs`), returning how long it took. */
  async drain (accepted: AcceptedChat[], timeoutMs: number): Promise<number> {
    const started = Date.now()
    while (Date.now() - started < timeoutMs) {
      const missing = await this.overdue(accepted, -1)
      if (missing && missing.length === 0) return Date.now() - started
      await sleep(2000)
    }
    return Date.now() - started
  }

  async archive (roomIds: string[]): Promise<EventRow[]> {
    // Every event of the soak's own database, in one scan.
    const rooms = new Set(roomIds)
    const all = await this.db().collection<EventRow>('events')
      .find({}, { projection: { _id: 1, roomId: 1, seq: 1, source: 1, type: 1, userId: 1, payload: 1 }, maxTimeMS: 600_000 }).toArray()
    return all.filter((e) => rooms.has(e.roomId))
  }

  /**
   * At the end: accepted acts archived exactly once in per-room seq order; each room's live state
   * equals the one rebuilt from the archive; membership agrees across PostgreSQL, the archive and
   * realtime, and no departed member's act was archived.
   */
  async final (roomIds: string[], chats: AcceptedChat[], commands: AcceptedCommand[]): Promise<Record<string, string[]>> {
    const events = await this.archive(roomIds)
    const v: Record<string, string[]> = { archive: [], order: [], state: [], membership: [], departed: [] }
    const realtime = new Map<string, Map<number, EventRow[]>>()
    for (const e of events) {
      if (e.source !== 'realtime') continue
      const room = realtime.get(e.roomId) ?? new Map<number, EventRow[]>()
      room.set(e.seq, [...(room.get(e.seq) ?? []), e])
      realtime.set(e.roomId, room)
    }
    // Exactly once, by id, at the seq the member was told.
    const sentByMessage = new Map<string, EventRow[]>()
    for (const e of events) {
      if (e.type !== 'chat.message_sent') continue
      sentByMessage.set(e.payload.messageId, [...(sentByMessage.get(e.payload.messageId) ?? []), e])
    }
    const chatDocs = new Set((await this.db().collection('chat_messages').find({}, { projection: { _id: 1 }, maxTimeMS: 600_000 }).toArray()).map((d) => String(d._id)))
    for (const c of chats) {
      const evs = sentByMessage.get(c.messageId) ?? []
      if (!chatDocs.has(c.messageId)) v.archive!.push(`chat ${c.messageId} (room ${c.roomId.slice(0, 8)} seq ${c.seq}) missing from chat_messages`)
      if (evs.length !== 1) v.archive!.push(`chat ${c.messageId} archived ${evs.length} times in events`)
      else if (evs[0]!.seq !== c.seq) v.archive!.push(`chat ${c.messageId} archived at seq ${evs[0]!.seq}, accepted at seq ${c.seq}`)
    }
    for (const c of commands) {
      const evs = (realtime.get(c.roomId)?.get(c.seq) ?? []).filter((e) => e.type === 'player.command_applied' && e.userId === c.userId)
      if (evs.length !== 1) v.archive!.push(`command ${c.ref} (room ${c.roomId.slice(0, 8)} seq ${c.seq}) archived ${evs.length} times`)
    }
    // Per room: realtime seqs 1..max, each once (a gap is a lost event, a repeat a duplicate).
    for (const roomId of roomIds) {
      const seqs = realtime.get(roomId) ?? new Map()
      const max = Math.max(0, ...seqs.keys())
      const gaps: number[] = []
      for (let s = 1; s <= max; s++) {
        const at = seqs.get(s)
        if (!at) gaps.push(s)
        else if (at.length > 1) v.order!.push(`room ${roomId.slice(0, 8)} seq ${s} archived ${at.length} times (${at.map((e: EventRow) => e.type).join(', ')})`)
      }
      if (gaps.length) this.gaps.set(roomId, gaps)
    }
    await this.liveState(roomIds, realtime, v)
    await this.membership(roomIds, events, v)
    for (const e of events) {
      if (e.type === 'chat.message_sent' && String(e.payload.clientMessageId).startsWith('ghost-')) v.departed!.push(`room ${e.roomId.slice(0, 8)}: a departed member's message was archived (${e._id})`)
    }
    return v
  }

  private async liveState (roomIds: string[], realtime: Map<string, Map<number, EventRow[]>>, v: Record<string, string[]>) {
    const redis = createClient({ url: this.env.redisUrl })
    await redis.connect()
    try {
      for (const roomId of roomIds) {
        const base = `${this.names.prefix}:room:{${roomId}}`
        const json = await redis.hGet(`${base}:state`, 'json')
        const live = json ? JSON.parse(json) : null
        const commands = [...(realtime.get(roomId)?.values() ?? [])].flat()
          .filter((e) => e.type === 'player.command_applied').sort((a, b) => a.seq - b.seq)
        const rebuilt = commands.at(-1)?.payload.state
        if (!rebuilt) {
          if (live && live.version > 1) v.state!.push(`room ${roomId.slice(0, 8)}: live state at version ${live.version}, no command archived`)
          continue
        }
        if (!live) { v.state!.push(`room ${roomId.slice(0, 8)}: no live state in Redis`); continue }
        const diff = STATE_FIELDS.filter((f) => JSON.stringify(live[f]) !== JSON.stringify(rebuilt[f]))
        if (JSON.stringify(live.queue) !== JSON.stringify(rebuilt.queue)) diff.push('queue' as any)
        if (diff.length) v.state!.push(`room ${roomId.slice(0, 8)}: live ${diff.map((f) => `${f}=${JSON.stringify(live[f])}`).join(' ')} vs archive ${diff.map((f) => `${f}=${JSON.stringify(rebuilt[f])}`).join(' ')}`)
      }
      // A seq without a realtime event is lost unless its frame echoes room-api's own event (member.left,
      // host.changed, …: room-api published those, under its own seq), which the room's stream shows.
      for (const [roomId, gaps] of this.gaps) {
        const lost: string[] = []
        for (const seq of gaps) {
          const [entry] = await redis.xRange(`${this.names.prefix}:room:{${roomId}}:events`, `${seq}-0`, `${seq}-0`) ?? []
          const type = entry ? JSON.parse(String(entry.message.f)).type : 'unknown (not in the room stream)'
          if (!ECHOES.has(type)) lost.push(`${seq} (${type})`)
        }
        if (lost.length) v.order!.push(`room ${roomId.slice(0, 8)}: ${lost.length} seq(s) with no archived event, first ${lost.slice(0, 5).join(', ')}`)
      }
      // realtime's membership view, compared below with the archive
      this.realtimeMembership = new Map()
      for (const roomId of roomIds) {
        this.realtimeMembership.set(roomId, await redis.hGetAll(`${this.names.prefix}:room:{${roomId}}:membership`))
        this.realtimeMembers.set(roomId, Object.keys(await redis.hGetAll(`${this.names.prefix}:room:{${roomId}}:members`)))
      }
    } finally {
      await redis.quit().catch(() => {})
    }
  }

  private realtimeMembership = new Map<string, Record<string, string>>()
  /** The member list realtime shows (everyone present who has connected). */
  private realtimeMembers = new Map<string, string[]>()
  private gaps = new Map<string, number[]>()

  private async membership (roomIds: string[], events: EventRow[], v: Record<string, string[]>) {
    const client = new pg.Client({ connectionString: this.env.databaseUrl })
    await client.connect()
    try {
      const { rows } = await client.query(
        `SELECT room_id, user_id, epoch, left_at IS NULL AS present, left_reason FROM "${this.names.schema}".room_members WHERE room_id = ANY($1)`, [roomIds])
      const history = new Map<string, EventRow>()
      for (const e of events) {
        if (e.source !== 'room-api' || (e.type !== 'member.joined' && e.type !== 'member.left') || !e.userId) continue
        const key = `${e.roomId} ${e.userId}`
        const last = history.get(key)
        if (!last || last.seq < e.seq) history.set(key, e)
      }
      const seen = new Set<string>()
      for (const row of rows) {
        const key = `${row.room_id} ${row.user_id}`
        seen.add(key)
        const last = history.get(key)
        const who = `room ${String(row.room_id).slice(0, 8)} user ${row.user_id}`
        if (!last) { v.membership!.push(`${who}: in PostgreSQL, no join archived`); continue }
        const archivedPresent = last.type === 'member.joined'
        if (archivedPresent !== row.present) v.membership!.push(`${who}: PostgreSQL ${row.present ? 'present' : 'left'}, archive ${last.type} at seq ${last.seq}`)
        else if (row.present && Number(row.epoch) !== last.seq) v.membership!.push(`${who}: PostgreSQL epoch ${row.epoch}, archive joined at seq ${last.seq}`)
        const rt = this.realtimeMembership.get(row.room_id)?.[row.user_id]
        const expected = `${last.seq}:${archivedPresent ? 'joined' : last.payload.reason}`
        if (rt !== expected) v.membership!.push(`${who}: realtime has ${rt ?? 'nothing'}, archive ${expected}`)
      }
      for (const key of history.keys()) if (!seen.has(key)) v.membership!.push(`${key}: archived membership unknown to PostgreSQL`)
      // The member list realtime shows holds nobody whose membership ended.
      for (const [roomId, listed] of this.realtimeMembers) {
        for (const userId of listed) {
          const last = history.get(`${roomId} ${userId}`)
          if (last?.type !== 'member.joined') v.membership!.push(`room ${roomId.slice(0, 8)} user ${userId}: in realtime's member list, archive ${last ? `${last.type} at seq ${last.seq}` : 'has no join'}`)
        }
      }
    } finally {
      await client.end().catch(() => {})
    }
  }

  /**
   * Once every client has gone, nobody is counted online: each room's connection counts in Redis drain to
   * zero (an instance that died has its connections counted out by another within 3 heartbeats), and
   * PostgreSQL, which learns presence from realtime's events, marks every member offline.
   */
  async presenceDrained (roomIds: string[], boundMs: number): Promise<string[]> {
    const redis = createClient({ url: this.env.redisUrl })
    const client = new pg.Client({ connectionString: this.env.databaseUrl })
    await redis.connect()
    await client.connect()
    const started = Date.now()
    let left: string[] = []
    try {
      do {
        left = []
        for (const roomId of roomIds) {
          const base = `${this.names.prefix}:room:{${roomId}}`
          const conns = await redis.hGetAll(`${base}:conns`)
          for (const [userId, n] of Object.entries(conns)) if (Number(n) !== 0) left.push(`room ${roomId.slice(0, 8)}: user ${userId} still counted with ${n} connection(s) in Redis`)
          const total = Number(await redis.hGet(`${base}:meta`, 'connections') ?? 0)
          if (total !== 0) left.push(`room ${roomId.slice(0, 8)}: ${total} connection(s) in the room's count`)
        }
        const { rows } = await client.query(`SELECT room_id, user_id FROM "${this.names.schema}".room_members WHERE room_id = ANY($1) AND online`, [roomIds])
        for (const r of rows) left.push(`room ${String(r.room_id).slice(0, 8)}: user ${r.user_id} online in PostgreSQL`)
        if (left.length === 0) break
        await sleep(2000)
      } while (Date.now() - started < boundMs)
    } finally {
      await redis.quit().catch(() => {})
      await client.end().catch(() => {})
    }
    return left
  }

  /** Each group's lag (high watermark − committed, summed over partitions), and the two outboxes' backlog. */
  async backlog (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    const admin = createAdmin({ brokers: this.env.kafkaBrokers.split(','), clientId: 'soak-check' })
    try {
      await admin.connect()
      const high = await admin.topicOffsets(this.names.topic)
      for (const [service, group] of Object.entries(this.names.groups)) {
        const committed = new Map((await admin.groupOffsets(group, this.names.topic)).map((p) => [p.partition, Number(p.offset)]))
        out[service] = high.reduce((n, p) => n + Math.max(0, Number(p.high) - Math.max(0, committed.get(p.partition) ?? 0)), 0)
      }
    } finally { await admin.disconnect().catch(() => {}) }
    const redis = createClient({ url: this.env.redisUrl })
    await redis.connect()
    try { out['realtime outbox'] = await redis.xLen(`${this.names.prefix}:outbox`) } finally { await redis.quit().catch(() => {}) }
    const client = new pg.Client({ connectionString: this.env.databaseUrl })
    await client.connect()
    try {
      out['room-api outbox'] = Number((await client.query(`SELECT count(*) AS n FROM "${this.names.schema}".outbox`)).rows[0].n)
    } finally { await client.end().catch(() => {}) }
    return out
  }

  backlogError: string | undefined

  /**
   * When realtime applied each leave: the time on its member.left frame in the room's stream (the
   * first for the member at or after the commit), or null if it has none — a late leave from a lost one.
   */
  async leavesApplied (leaves: LeaveTime[]): Promise<Array<LeaveTime & { appliedAt: number | null }>> {
    const redis = createClient({ url: this.env.redisUrl })
    await redis.connect()
    const frames = new Map<string, Array<{ type: string, at: number, userId?: string }>>()
    try {
      const out: Array<LeaveTime & { appliedAt: number | null }> = []
      for (const leave of leaves) {
        let room = frames.get(leave.roomId)
        if (!room) {
          const entries: Array<{ message: Record<string, string> }> = await redis.xRange(`${this.names.prefix}:room:{${leave.roomId}}:events`, '-', '+')
          room = entries.map((e) => JSON.parse(String(e.message.f)) as { type: string, at: number, userId?: string })
          frames.set(leave.roomId, room)
        }
        // A second's slack: the frame's time is realtime's clock, the commit's the soak's answer.
        const frame = room.find((f) => f.type === 'member.left' && f.userId === leave.userId && f.at >= leave.committedAt - 1000)
        out.push({ ...leave, appliedAt: frame?.at ?? null })
      }
      return out
    } finally {
      await redis.quit().catch(() => {})
    }
  }

  /** Polls until every group and outbox is at zero; per service, how long it took (or null past the bound). */
  async catchUp (boundMs: number): Promise<{ ms: Record<string, number | null>, last: Record<string, number> }> {
    const started = Date.now()
    const ms: Record<string, number | null> = {}
    let last: Record<string, number> = {}
    while (Date.now() - started < boundMs) {
      try { last = await this.backlog() } catch (err) { this.backlogError = (err as Error).message; await sleep(1000); continue }
      for (const [k, n] of Object.entries(last)) if (n === 0 && ms[k] === undefined) ms[k] = Date.now() - started
      if (Object.keys(last).every((k) => ms[k] !== undefined)) break
      await sleep(1000)
    }
    for (const k of Object.keys(last)) ms[k] ??= null
    return { ms, last }
  }

  async close () { await this.mongo.close().catch(() => {}) }
}
