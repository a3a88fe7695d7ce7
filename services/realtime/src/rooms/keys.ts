/**
 * Every Redis key and channel the service uses, in one place. One room's keys share the
 * `{roomId}` hash tag so the Lua scripts touching them stay on one Redis Cluster slot;
 * the outbox is global (scripts that write it need a single Redis, which is what we run).
 */
export function roomKeys (prefix: string, roomId: string) {
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
    channel: `${base}:channel`
  }
}
export type RoomKeys = ReturnType<typeof roomKeys>

export function globalKeys (prefix: string) {
  return {
    activeRooms: `${prefix}:rooms:active`,
    outbox: `${prefix}:outbox`,
    /** user id → open room connections on every instance (its length: users connected; room.counters). */
    userConnections: `${prefix}:stats:user-connections`,
    /** film id → users in rooms of that film (room.counters "viewers of this film"). */
    filmViewers: `${prefix}:stats:film-viewers`,
    outboxLock: `${prefix}:outbox:lock`,
    /** Instance-wide commands (close a room's sockets, kick a member) from whichever instance consumed the event. */
    control: `${prefix}:control`,
    /** A person's own channel (/users/ws): invitations and friend changes, from whichever instance consumed them. */
    userChannel: (userId: string) => `${prefix}:user:{${userId}}:channel`,
    legacyState: (userId: string) => `${prefix}:legacy:{${userId}}:state`,
    /** The user's device-event counter (device.state_changed `seq`, ordering one user's updates). */
    legacySeq: (userId: string) => `${prefix}:legacy:{${userId}}:seq`,
    legacyChannel: (userId: string) => `${prefix}:legacy:{${userId}}:channel`
  }
}
export type GlobalKeys = ReturnType<typeof globalKeys>
