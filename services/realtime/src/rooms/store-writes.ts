import type { ControlMode, LeaveReason, TicketClaims } from '@watch-together/protocol'
import { filmState } from '@watch-together/sync-core'
import type { RedisClient } from '../plugins/redis.js'
import { globalKeys, roomKeys } from './keys.js'
import { endedBy, membershipValue, newerThanStored } from './membership.js'
import { ADD_CONNECTION_SCRIPT, COUNT_OUT_SCRIPT, scriptRunner, SET_IF_LIVE_SCRIPT } from './scripts.js'

export interface StoreOptions {
  prefix: string
  /** Live room keys expire this long after their last change. */
  ttlSeconds: number
  /** The chat rate window: at most `chatRateMax` messages and reactions per user per `chatRateWindowMs`. */
  chatRateMax: number
  chatRateWindowMs: number
}

const DAY_SECONDS = 86_400

/**
 * The room store's writes (room-store.ts composes them with its reads and the room log): every change
 * to a room's keys outside the emit script is one of these, so one module knows every key a room has.
 */
export function createStoreWrites (redis: RedisClient, opts: StoreOptions) {
  const keysOf = (roomId: string) => roomKeys(opts.prefix, roomId)
  const global = globalKeys(opts.prefix)
  const ttl = opts.ttlSeconds
  const addConnectionScript = scriptRunner(redis, ADD_CONNECTION_SCRIPT)
  const countOut = scriptRunner(redis, COUNT_OUT_SCRIPT)
  const setIfLive = scriptRunner(redis, SET_IF_LIVE_SCRIPT)

  /** Queues a room's film (version 1, paused at 0) unless the room already has a state: the server owns the queue. */
  async function seedState (roomId: string, filmId: string) {
    const keys = keysOf(roomId)
    const state = filmState(filmId, Date.now())
    await redis.multi()
      .hSetNX(keys.state, 'json', JSON.stringify(state))
      .hSetNX(keys.state, 'version', String(state.version))
      .expire(keys.state, ttl)
      .exec()
  }

  return {
    // ---- chat: retries by client id, reactions, the rate window
    /** Claims the sender's client id for this message; false when an earlier attempt holds it. */
    async claimChatClientId (roomId: string, userId: string, clientMessageId: string, messageId: string) {
      const keys = keysOf(roomId)
      const claimed = await redis.hSetNX(keys.chatClientIds, `${userId}\u0000${clientMessageId}`, messageId)
      if (claimed) await redis.expire(keys.chatClientIds, DAY_SECONDS)
      return claimed
    },
    /** The stored frame of the message an earlier attempt with this client id made, if it is still held. */
    async chatByClientId (roomId: string, userId: string, clientMessageId: string) {
      const keys = keysOf(roomId)
      const existingId = await redis.hGet(keys.chatClientIds, `${userId}\u0000${clientMessageId}`)
      return existingId ? await redis.hGet(keys.chat, existingId) ?? null : null
    },
    async releaseChatClientId (roomId: string, userId: string, clientMessageId: string) {
      await redis.hDel(keysOf(roomId).chatClientIds, `${userId}\u0000${clientMessageId}`)
    },
    /** A recent message's stored frame (JSON), or null. */
    async chatFrame (roomId: string, messageId: string) {
      return await redis.hGet(keysOf(roomId).chat, messageId) ?? null
    },
    /** False when this member already reacted with this emoji. */
    async addReaction (roomId: string, messageId: string, emoji: string, userId: string) {
      const keys = keysOf(roomId)
      const added = await redis.hSetNX(keys.reactions, `${messageId}\u0000${emoji}\u0000${userId}`, '1')
      if (added) await redis.expire(keys.reactions, DAY_SECONDS)
      return added
    },
    async removeReaction (roomId: string, messageId: string, emoji: string, userId: string) {
      await redis.hDel(keysOf(roomId).reactions, `${messageId}\u0000${emoji}\u0000${userId}`)
    },
    /** A fixed window per user per room, shared by all instances: 0 when allowed, else ms until it resets. */
    async chatAllowance (roomId: string, userId: string): Promise<number> {
      const key = keysOf(roomId).rate(userId)
      const [count, left] = await redis.multi().incr(key).pTTL(key).exec() as unknown as [number, number]
      if (left < 0) await redis.pExpire(key, opts.chatRateWindowMs)
      if (count <= opts.chatRateMax) return 0
      return left > 0 ? left : opts.chatRateWindowMs
    },

    // ---- members: what a member's player reports
    async setPlaying (roomId: string, userId: string, playing: boolean) {
      const keys = keysOf(roomId)
      if (playing) await redis.multi().sAdd(keys.playing, userId).expire(keys.playing, ttl).exec()
      else await redis.sRem(keys.playing, userId)
    },
    async setBuffering (roomId: string, userId: string, buffering: boolean, waitForMe: boolean | undefined) {
      const keys = keysOf(roomId)
      const multi = redis.multi()
      if (buffering) multi.hSet(keys.buffering, userId, '1').expire(keys.buffering, ttl)
      else multi.hDel(keys.buffering, userId)
      if (waitForMe === false) multi.sAdd(keys.noWait, userId).expire(keys.noWait, ttl)
      if (waitForMe === true) multi.sRem(keys.noWait, userId)
      await multi.exec()
    },
    async clearBuffering (roomId: string, userId: string) {
      await redis.hDel(keysOf(roomId).buffering, userId)
    },

    // ---- presence: connections counted across instances
    /** Counts a connection in: member, meta from the ticket, connection counters; the film queued on a first connect. */
    async addConnection (claims: TicketClaims, now: number) {
      const keys = keysOf(claims.room)
      // The room's film and its length come with room-api's ticket (absent in older tickets); the ticket
      // seeds the control mode (room.control_mode_changed events overwrite it).
      const state = claims.film ? filmState(claims.film.id, now) : null
      const counted = addConnectionScript(
        [keys.meta, keys.state, keys.members, keys.conns, keys.muted],
        [claims.sub, JSON.stringify({ name: claims.name, role: claims.role }), claims.controlMode, String(ttl),
          claims.film?.id ?? '', String(claims.film?.durationMs ?? ''), state ? JSON.stringify(state) : '', state ? String(state.version) : '']
      )
      // The service-wide set lives in another slot (Redis Cluster): its own command, sent together with the script.
      const [[userConns, total, hostId, muted]] = await Promise.all([counted, redis.sAdd(global.activeRooms, claims.room)]) as unknown as [[number, number, string, number]]
      return { userConns: Number(userConns), total: Number(total), hostId: hostId || null, muted: Number(muted) === 1 }
    },
    /**
     * Counts a connection out; the counts after it (a negative one is repaired by `resetConnections`).
     * `live` is false when the room's live state is gone (archived): nothing was written.
     */
    async removeConnection (roomId: string, userId: string) {
      const keys = keysOf(roomId)
      const [userConns, total, live] = await countOut([keys.conns, keys.meta], [userId]) as [number, number, number]
      return { userConns, total, live: live === 1 }
    },
    async resetConnections (roomId: string, userId: string) {
      await setIfLive([keysOf(roomId).conns], [userId, '0'])
    },
    /** The room's last connection left: it is no longer active. */
    async markEmptied (roomId: string) {
      await redis.sRem(global.activeRooms, roomId)
      await setIfLive([keysOf(roomId).meta], ['connections', '0'])
    },

    // ---- room-api's lifecycle (lifecycle-consumer.ts): each write guarded so a replay changes nothing
    /** room.created: the film is fixed, the control mode only seeded (a replay must not undo a later change). */
    async seedRoom (roomId: string, filmId: string, controlMode: ControlMode) {
      const keys = keysOf(roomId)
      await redis.multi().hSet(keys.meta, 'filmId', filmId).hSetNX(keys.meta, 'controlMode', controlMode).exec()
      await redis.expire(keys.meta, ttl)
      await seedState(roomId, filmId)
    },
    /** True the first time. */
    async markClosed (roomId: string) {
      const keys = keysOf(roomId)
      const newlyClosed = await redis.hSetNX(keys.meta, 'closed', '1')
      await redis.expire(keys.meta, ttl)
      return newlyClosed
    },
    async recordJoined (roomId: string, userId: string, seq: number) {
      const keys = keysOf(roomId)
      const stored = await redis.hGet(keys.membership, userId)
      if (!newerThanStored(stored, seq)) return
      await redis.hSet(keys.membership, userId, membershipValue(seq, 'joined'))
      await redis.expire(keys.membership, ttl)
    },
    /**
     * member.left: 'stale' when a rejoin overtook it (no kick), 'again' when it is already stored (a
     * redelivery: kick again, harmlessly), 'applied' when the membership ended now (member dropped).
     * Written before the kick: a socket that connects after this write is refused at its check.
     */
    async recordLeft (roomId: string, userId: string, seq: number, reason: LeaveReason): Promise<'stale' | 'again' | 'applied'> {
      const keys = keysOf(roomId)
      const stored = await redis.hGet(keys.membership, userId)
      const verdict = membershipValue(seq, reason)
      if (stored === verdict) return 'again'
      if (!newerThanStored(stored, seq)) return 'stale'
      await redis.multi()
        .hSet(keys.membership, userId, verdict)
        .expire(keys.membership, ttl)
        .hDel(keys.members, userId)
        .sRem(keys.muted, userId)
        .sRem(keys.playing, userId)
        .exec()
      return 'applied'
    },
    /** The seq guards a replay: an older change never undoes a newer one. True when the mode changed. */
    async setControlMode (roomId: string, controlMode: ControlMode, seq: number) {
      const keys = keysOf(roomId)
      const [previous, seenSeq] = await redis.hmGet(keys.meta, ['controlMode', 'controlModeSeq'])
      if (Number(seenSeq ?? 0) >= seq) return false
      await redis.hSet(keys.meta, { controlModeSeq: seq })
      if (previous === controlMode) return false
      await redis.hSet(keys.meta, 'controlMode', controlMode)
      await redis.expire(keys.meta, ttl)
      return true
    },
    /** host.changed, guarded by its seq; rewrites the stored roles. True when applied. */
    async setHost (roomId: string, fromUserId: string | null, toUserId: string, seq: number) {
      const keys = keysOf(roomId)
      const [hostSeq] = await redis.hmGet(keys.meta, ['hostSeq'])
      if (Number(hostSeq ?? 0) >= seq) return false
      await redis.hSet(keys.meta, { hostId: toUserId, hostSeq: seq })
      await redis.expire(keys.meta, ttl)
      // Every member list agrees with the new host.
      for (const [userId, role] of [[fromUserId, 'guest'], [toUserId, 'host']] as const) {
        if (!userId) continue
        const json = await redis.hGet(keys.members, userId)
        if (json) await redis.hSet(keys.members, userId, JSON.stringify({ ...JSON.parse(json), role }))
      }
      return true
    },
    /** Per member, the seq of the last mute change applied: a replay never re-mutes. True when it changed. */
    async setMuted (roomId: string, userId: string, muted: boolean, seq: number) {
      const keys = keysOf(roomId)
      const seenSeq = await redis.hGet(keys.meta, `muteSeq:${userId}`)
      if (Number(seenSeq ?? 0) >= seq) return false
      await redis.hSet(keys.meta, `muteSeq:${userId}`, seq)
      const changed = muted ? await redis.sAdd(keys.muted, userId) : await redis.sRem(keys.muted, userId)
      await redis.expire(keys.muted, ttl)
      return Boolean(changed)
    },
    /**
     * Everything live about a room, once the archive holds it: every key roomKeys names (so a key
     * added there is deleted here too), except the seq counter, which stays so numbers never repeat
     * (it expires 30 days after the room's last event), the outbox stream (the publisher's), and the
     * per-user rate windows (short TTLs);
     * and the room leaves the active set.
     */
    async deleteLive (roomId: string) {
      const keys = keysOf(roomId)
      // The outbox stream too stays: its events may still be on their way to Kafka (the publisher deletes it once drained).
      const live = Object.entries(keys).filter(([name, key]) => typeof key === 'string' && !['seq', 'channel', 'outbox'].includes(name))
      await redis.del(live.map(([, key]) => key as string))
      await redis.sRem(global.activeRooms, roomId)
    },

    /** Rooms with at least one connection on some instance. */
    async activeRooms () {
      return await redis.sMembers(global.activeRooms)
    },
    /** Whether a ticket of `epoch` is dead under the member's stored membership (membership.ts), and how. */
    async membershipEnd (roomId: string, userId: string, epoch: number | undefined) {
      return endedBy(await redis.hGet(keysOf(roomId).membership, userId), epoch)
    }
  }
}
