import { ChatMessageSentFrame, ControlMode, type ChatMessage, type Member, type PlayerState, PlayerState as PlayerStateSchema } from '@watch-together/protocol'
import type { RedisClient } from '../plugins/redis.js'
import { roomKeys } from './keys.js'
import { initialState } from './player-state.js'

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

  function parseMembers (members: Record<string, string>, conns: Record<string, string>): Member[] {
    return Object.entries(members).map(([userId, json]) => {
      const { name, role } = JSON.parse(json) as { name: string, role: Member['role'] }
      return { userId, name, role, online: Number(conns[userId] ?? 0) > 0 }
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
      const [seq, state, meta, members, conns] = await redis.multi()
        .get(keys.seq)
        .hGet(keys.state, 'json')
        .hGetAll(keys.meta)
        .hGetAll(keys.members)
        .hGetAll(keys.conns)
        .exec() as unknown as [string | null, string | null, Record<string, string>, Record<string, string>, Record<string, string>]
      return {
        seq: Number(seq ?? 0),
        state: parseState(state, now),
        meta: parseMeta(meta),
        members: parseMembers(members, conns),
        chat: chatLimit > 0 ? await chatHistory(roomId, chatLimit, now, Number(seq ?? 0)) : []
      }
    },
    async members (roomId: string) {
      const keys = roomKeys(prefix, roomId)
      const [members, conns] = await Promise.all([redis.hGetAll(keys.members), redis.hGetAll(keys.conns)])
      return parseMembers(members, conns)
    }
  }
}
export type RoomStore = ReturnType<typeof createRoomStore>
