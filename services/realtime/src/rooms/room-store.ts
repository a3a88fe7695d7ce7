import { ChatMessageSentFrame, ControlMode, type ChatMessage, type Member, type PlayerState, PlayerState as PlayerStateSchema } from '@watch-together/protocol'
import type { RedisClient } from '../plugins/redis.js'
import { type RoomKeys, roomKeys } from './keys.js'
import { filmState, initialState } from '@watch-together/sync-core'

const DAY_MS = 86_400_000

export interface RoomMeta {
  controlMode: ControlMode
  /** Set by host.changed; until then the ticket's role says who the host is. */
  hostId: string | null
  filmId: string | null
  /** The room's film length (ms), from the members' tickets; null until a ticket carried it. */
  filmDurationMs: number | null
  closed: boolean
}

/** Reads of a room's live state in Redis (writes go through the room log or presence). */
export function createRoomStore (redis: RedisClient, prefix: string) {
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

  async function chatHistory (roomId: string, limit: number, now: number, maxSeq: number): Promise<ChatMessage[]> {
    const keys = roomKeys(prefix, roomId)
    const ids = await redis.lRange(keys.chatRecent, 0, limit - 1)
    if (ids.length === 0) return []
    const [frames, reactions] = await Promise.all([redis.hmGet(keys.chat, ids), redis.hGetAll(keys.reactions)])
    const byMessage = new Map<string, Record<string, string[]>>()
    for (const field of Object.keys(reactions)) {
      const [messageId = '', emoji = '', userId = ''] = field.split('\u0000')
      const entry = byMessage.get(messageId) ?? {}
      ;(entry[emoji] ??= []).push(userId)
      byMessage.set(messageId, entry)
    }
    const messages: ChatMessage[] = []
    for (const json of frames.reverse()) {
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
    /** The room's seq, state, meta and members read in one MULTI, so they agree with each other. */
    async snapshot (roomId: string, now: number, chatLimit: number) {
      const keys = roomKeys(prefix, roomId)
      const [seq, state, rawMeta, members, conns, muted] = await redis.multi()
        .get(keys.seq)
        .hGet(keys.state, 'json')
        .hGetAll(keys.meta)
        .hGetAll(keys.members)
        .hGetAll(keys.conns)
        .sMembers(keys.muted)
        .exec() as unknown as [string | null, string | null, Record<string, string>, Record<string, string>, Record<string, string>, string[]]
      const meta = parseMeta(rawMeta)
      return {
        seq: Number(seq ?? 0),
        state: parseState(state, now),
        meta,
        members: parseMembers(members, conns, muted, meta.hostId),
        chat: chatLimit > 0 ? await chatHistory(roomId, chatLimit, now, Number(seq ?? 0)) : []
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
    /** Rewrites the stored roles after a host.changed, so every member list agrees with it. */
    async setRoles (roomId: string, fromUserId: string | null, toUserId: string) {
      const keys = roomKeys(prefix, roomId)
      for (const [userId, role] of [[fromUserId, 'guest'], [toUserId, 'host']] as const) {
        if (!userId) continue
        const json = await redis.hGet(keys.members, userId)
        if (json) await redis.hSet(keys.members, userId, JSON.stringify({ ...JSON.parse(json), role }))
      }
    },
    /**
     * Everything live about a room, once the archive holds it: every key roomKeys names (so a key
     * added there is deleted here too), except the seq counter, which stays so numbers never repeat
     * (it expires 30 days after the room's last event), and the per-user rate windows (short TTLs).
     */
    async deleteLive (roomId: string) {
      const keys = roomKeys(prefix, roomId)
      const live = Object.entries(keys).filter(([name, key]) => typeof key === 'string' && name !== 'seq' && name !== 'channel')
      await redis.del(live.map(([, key]) => key as string))
    }
  }
}

/** Queues a room's film (version 1, paused at 0) unless the room already has a state: the server owns the queue. */
export async function seedState (redis: RedisClient, keys: RoomKeys, filmId: string, ttlSeconds: number) {
  const state = filmState(filmId, Date.now())
  await redis.multi()
    .hSetNX(keys.state, 'json', JSON.stringify(state))
    .hSetNX(keys.state, 'version', String(state.version))
    .expire(keys.state, ttlSeconds)
    .exec()
}
export type RoomStore = ReturnType<typeof createRoomStore>
