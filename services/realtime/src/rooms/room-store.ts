import { ChatMessageSentFrame, ControlMode, type ChatMessage, type Member, type PlayerState, PlayerState as PlayerStateSchema } from '@watch-together/protocol'
import { initialState } from '@watch-together/sync-core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { createOutboxIndex } from '../kafka/outbox-index.js'
import type { RedisClient } from '../plugins/redis.js'
import { roomKeys } from './keys.js'
import { createRoomLog, type RoomLogOptions } from './room-log.js'
import { COUNTS_SCRIPT, SNAPSHOT_SCRIPT, STATE_AND_META_SCRIPT, scriptRunner } from './scripts.js'
import { createStoreWrites, type StoreOptions } from './store-writes.js'

const DAY_MS = 86_400_000

/** A flat field/value list (HGETALL inside a script) as a record. */
function fields (flat: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!
  return out
}

export interface RoomMeta {
  controlMode: ControlMode
  /** Set by host.changed; until then the ticket's role says who the host is. */
  hostId: string | null
  filmId: string | null
  /** The room's film length (ms), from the members' tickets; null until a ticket carried it. */
  filmDurationMs: number | null
  closed: boolean
}

export type RoomStoreOptions = StoreOptions & Omit<RoomLogOptions, 'prefix' | 'ttlSeconds'>

/**
 * The one owner of a room's Redis keys: its reads (here), its writes (store-writes.ts) and its
 * events (room-log.ts, the emit script). Nothing else in the service names a room key, so the
 * list of what a room holds, and what `deleteLive` removes, is kept in one place (keys.ts).
 */
export function createRoomStore (redis: RedisClient, opts: RoomStoreOptions) {
  const { prefix } = opts
  const readSnapshot = scriptRunner(redis, SNAPSHOT_SCRIPT)
  const readCounts = scriptRunner(redis, COUNTS_SCRIPT)
  const readStateAndMeta = scriptRunner(redis, STATE_AND_META_SCRIPT)
  function parseState (json: string | null | undefined, now: number): PlayerState {
    if (!json) return initialState(now)
    const parsed = PlayerStateSchema.safeParse(JSON.parse(json))
    return parsed.success ? parsed.data : initialState(now)
  }

  function parseMeta (raw: Record<string, string>): RoomMeta {
    const mode = ControlMode.safeParse(raw.controlMode)
    return {
      controlMode: mode.success ? mode.data : 'everyone',
      hostId: raw.hostId ?? null,
      filmId: raw.filmId ?? null,
      filmDurationMs: Number(raw.filmDurationMs) > 0 ? Number(raw.filmDurationMs) : null,
      closed: raw.closed === '1'
    }
  }

  function parseMembers (members: Record<string, string>, conns: Record<string, string>, muted: string[], hostId: string | null): Member[] {
    const mutedSet = new Set(muted)
    return Object.entries(members).map(([userId, json]) => {
      const { name, role } = JSON.parse(json) as { name: string, role: Member['role'] }
      // Once a host.changed has arrived, it decides the roles (tickets may predate it).
      const current = hostId ? (userId === hostId ? 'host' : 'guest') : role
      return { userId, name, role: current, online: Number(conns[userId] ?? 0) > 0, muted: mutedSet.has(userId) }
    })
  }

  /** The recent chat from its stored frames (newest last) and the room's reactions (`messageId NUL emoji NUL userId`). */
  function chatHistory (frames: Array<string | null>, reactions: Record<string, string>, now: number, maxSeq: number): ChatMessage[] {
    const byMessage = new Map<string, Record<string, string[]>>()
    for (const field of Object.keys(reactions)) {
      const [messageId = '', emoji = '', userId = ''] = field.split('\u0000')
      const entry = byMessage.get(messageId) ?? {}
      ;(entry[emoji] ??= []).push(userId)
      byMessage.set(messageId, entry)
    }
    const messages: ChatMessage[] = []
    for (const json of [...frames].reverse()) {
      if (!json) continue
      const frame = ChatMessageSentFrame.safeParse(JSON.parse(json))
      // Newer than the snapshot's seq: it reaches the client as a live frame instead.
      if (!frame.success || now - frame.data.message.at > DAY_MS || frame.data.seq > maxSeq) continue
      messages.push({ ...frame.data.message, reactions: byMessage.get(frame.data.message.messageId) ?? {} })
    }
    return messages
  }

  return {
    parseState,
    async state (roomId: string, now: number) {
      return parseState(await redis.hGet(roomKeys(prefix, roomId).state, 'json'), now)
    },
    async meta (roomId: string) {
      return parseMeta(await redis.hGetAll(roomKeys(prefix, roomId).meta))
    },
    /** The player state and the meta, read in one command (player commands). */
    async stateAndMeta (roomId: string, now: number) {
      const keys = roomKeys(prefix, roomId)
      const [state, meta] = await readStateAndMeta([keys.state, keys.meta], []) as [string, string[]]
      return { state: parseState(state, now), meta: parseMeta(fields(meta)) }
    },
    /** The room's seq, state, meta, members and recent chat, read in one step (SNAPSHOT_SCRIPT), so they agree. */
    async snapshot (roomId: string, now: number, chatLimit: number) {
      const keys = roomKeys(prefix, roomId)
      const [seq, state, rawMeta, members, conns, muted, frames, reactions] = await readSnapshot(
        [keys.seq, keys.state, keys.meta, keys.members, keys.conns, keys.muted, keys.chatRecent, keys.chat, keys.reactions],
        [String(Math.max(0, chatLimit))]
      ) as [string, string, string[], string[], string[], string[], Array<string | null>, string[]]
      const meta = parseMeta(fields(rawMeta))
      return {
        seq: Number(seq || 0),
        state: parseState(state, now),
        meta,
        members: parseMembers(fields(members), fields(conns), muted, meta.hostId),
        chat: chatHistory(frames, fields(reactions), now, Number(seq || 0))
      }
    },
    async members (roomId: string) {
      const keys = roomKeys(prefix, roomId)
      const [members, conns, muted, hostId] = await Promise.all([
        redis.hGetAll(keys.members), redis.hGetAll(keys.conns), redis.sMembers(keys.muted), redis.hGet(keys.meta, 'hostId')
      ])
      return parseMembers(members, conns, muted, hostId ?? null)
    },
    async memberName (roomId: string, userId: string): Promise<string | null> {
      const json = await redis.hGet(roomKeys(prefix, roomId).members, userId)
      return json ? (JSON.parse(json) as { name: string }).name : null
    },
    /** The room's pub/sub channel (the hub subscribes; the emit script publishes). */
    channelOf: (roomId: string) => roomKeys(prefix, roomId).channel,
    /** The room's last seq (0 before its first event). */
    async seq (roomId: string) {
      return Number(await redis.get(roomKeys(prefix, roomId).seq) ?? 0)
    },
    /** The state and the marker of the last end, from one hash in one read, so they always agree (film-end.ts). */
    async stateWithEnd (roomId: string, now: number) {
      const [json, ended] = await redis.hmGet(roomKeys(prefix, roomId).state, ['json', 'ended'])
      return { state: parseState(json, now), ended: ended ?? null }
    },
    /** A member's stored membership value and whether they are muted (membership.ts). */
    async actorStatus (roomId: string, userId: string) {
      const keys = roomKeys(prefix, roomId)
      const [membership, muted] = await redis.multi().hGet(keys.membership, userId).sIsMember(keys.muted, userId).exec() as unknown as [string | null, number | boolean]
      return { membership, muted: Number(muted) === 1 }
    },
    /** Online members, players reporting playing, members buffering, and the room's film (room.counters, /stats). */
    async presenceCounts (roomId: string) {
      const keys = roomKeys(prefix, roomId)
      const [conns, playing, buffering, filmId] = await readCounts([keys.conns, keys.playing, keys.buffering, keys.meta], []) as [string[], number, number, string]
      const online: string[] = []
      for (let i = 0; i + 1 < conns.length; i += 2) if (Number(conns[i + 1]) > 0) online.push(conns[i]!)
      return { online, playing: Number(playing), buffering: Number(buffering), filmId: filmId || null }
    },
    /** Online members who are buffering and did not opt out of being waited for (ready-wait.ts). */
    async stalled (roomId: string): Promise<string[]> {
      const keys = roomKeys(prefix, roomId)
      const [buffering, noWait, conns] = await Promise.all([
        redis.hKeys(keys.buffering), redis.sMembers(keys.noWait), redis.hGetAll(keys.conns)
      ])
      return buffering.filter((userId) => !noWait.includes(userId) && Number(conns[userId] ?? 0) > 0)
    },
    ...createStoreWrites(redis, opts),
    ...createRoomLog(redis, { ...opts, prefix, ttlSeconds: opts.ttlSeconds })
  }
}
export type RoomStore = ReturnType<typeof createRoomStore>

declare module 'fastify' {
  interface FastifyInstance {
    roomStore: RoomStore
  }
}

export const roomStorePlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  const topology = app.redisTopology
  app.decorate('roomStore', createRoomStore(app.redis, {
    outbox: createOutboxIndex(app.redis, config.REDIS_PREFIX, config.OUTBOX_BUCKETS),
    replicas: { count: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT_MS, wait: topology.waitForReplicas },
    onUnreplicated: (roomId, seq) => app.log.warn({ roomId, seq }, 'room event not confirmed by a Redis replica in time'),
    prefix: config.REDIS_PREFIX,
    ttlSeconds: config.ROOM_TTL_SECONDS,
    chatRateMax: config.CHAT_RATE_MAX,
    chatRateWindowMs: config.CHAT_RATE_WINDOW_MS,
    eventsMaxLen: config.ROOM_EVENTS_MAX,
    outboxMaxLen: config.OUTBOX_MAX_LEN,
    chatHistorySize: config.CHAT_HISTORY_SIZE,
    checkFrames: config.FRAME_CHECKS
  }))
}, { name: 'room-store', dependencies: ['redis'] })
