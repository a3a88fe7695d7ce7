import { slotTag } from './slots.js'

/**
 * Every Redis key and channel the service uses, in one place. One room's keys share the
 * `{roomId}` hash tag so the Lua scripts touching them stay on one Redis Cluster slot — the
 * room's outbox stream and its slot's outbox index included (outboxKeys), so the emit step is one
 * script on one node. A person's keys share `{userId}` likewise.
 */
export function roomKeys (prefix: string, roomId: string): RoomKeys {
  // Every command of a room names its keys: built once per room (about 25 strings), not per call.
  let rooms = built.get(prefix)
  if (!rooms) built.set(prefix, rooms = new Map())
  let keys = rooms.get(roomId)
  if (!keys) {
    // Bounded: an instance that has served many rooms starts the cache over.
    if (rooms.size >= MAX_CACHED_ROOMS) rooms.clear()
    rooms.set(roomId, keys = buildRoomKeys(prefix, roomId))
  }
  return keys
}
const MAX_CACHED_ROOMS = 20_000
const built = new Map<string, Map<string, RoomKeys>>()

function buildRoomKeys (prefix: string, roomId: string) {
  const base = `${prefix}:room:{${roomId}}`
  return {
    state: `${base}:state`,
    meta: `${base}:meta`,
    seq: `${base}:seq`,
    events: `${base}:events`,
    members: `${base}:members`,
    conns: `${base}:conns`,
    chat: `${base}:chat`,
    chatRecent: `${base}:chat:recent`,
    reactions: `${base}:chat:reactions`,
    /** Members currently buffering, and members who asked never to be waited for. */
    buffering: `${base}:buffering`,
    noWait: `${base}:no-wait`,
    chatClientIds: `${base}:chat:client-ids`,
    rate: (userId: string) => `${base}:rate:${userId}`,
    /**
     * user id → `EPOCH:STATE`: `E:joined` (the membership room-api began at seq E) or `L:left|removed|banned`
     * (ended by room-api's member.left at seq L). Written from room-api's events; read at connect and by
     * every emit (membership.ts), so a ticket never outlives its membership.
     */
    membership: `${base}:membership`,
    /** Members whose player reports playing (room.counters "playing now"). */
    playing: `${base}:playing`,
    /** Members the host muted in chat. */
    muted: `${base}:muted`,
    /** The room's events waiting for Kafka (drained by the outbox publisher, kafka/outbox-publisher.ts). */
    outbox: `${base}:outbox`,
    /** The room's sharded pub/sub channel (SPUBLISH/SSUBSCRIBE): only the room's node carries it. */
    channel: `${base}:channel`
  }
}
export type RoomKeys = ReturnType<typeof buildRoomKeys>

export function globalKeys (prefix: string) {
  return {
    activeRooms: `${prefix}:rooms:active`,
    /** user id → open room connections on every instance (its length: users connected; room.counters). */
    userConnections: `${prefix}:stats:user-connections`,
    /** film id → users in rooms of that film (room.counters "viewers of this film"). */
    filmViewers: `${prefix}:stats:film-viewers`,
    /** A person's own channel (/users/ws): invitations and friend changes, from whichever instance consumed them. */
    userChannel: (userId: string) => `${prefix}:user:{${userId}}:channel`,
    legacyState: (userId: string) => `${prefix}:legacy:{${userId}}:state`,
    /** The user's device-event counter (device.state_changed `seq`, ordering one user's updates). */
    legacySeq: (userId: string) => `${prefix}:legacy:{${userId}}:seq`,
    legacyChannel: (userId: string) => `${prefix}:legacy:{${userId}}:channel`,
    /** The person's device events waiting for Kafka (device.state_changed). */
    legacyOutbox: (userId: string) => `${prefix}:legacy:{${userId}}:outbox`
  }
}
export type GlobalKeys = ReturnType<typeof globalKeys>

/**
 * The outbox's index: every stream with events waiting for Kafka is listed in the index of its own
 * slot (written by the same script as the event, so nothing is ever pending unlisted), and hinted to
 * its publisher bucket (written just after, so publishers need not poll 16,384 slot indexes; a lost
 * hint is found by the publisher's sweep of the slot indexes). One lease per bucket.
 */
export function outboxKeys (prefix: string) {
  return {
    slotIndex: (slot: number) => `${prefix}:outbox:slot:{${slotTag(slot)}}`,
    hint: (bucket: number) => `${prefix}:outbox:hint:{b${bucket}}`,
    lease: (bucket: number) => `${prefix}:outbox:lease:{b${bucket}}`
  }
}
