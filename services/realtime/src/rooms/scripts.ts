import { createHash } from 'node:crypto'
import type { RedisClient } from '../plugins/redis.js'

/**
 * Appends one event to a room, atomically: optional compare-and-set of the player state on its
 * version, the next room seq, the room's recent-events stream, the Kafka outbox and the pub/sub
 * (sharded) fan-out. Being one script, events of a room are published in seq order, whichever instance
 * emits them, and no event can be broadcast without being held for Kafka (or the reverse).
 *
 * Bodies are JSON objects without `seq`; the script splices `"seq":N,` in front, so it never has to
 * re-encode JSON (cjson would turn empty arrays into objects).
 *
 * KEYS: seq, events, outbox (the room's), state, chat, chatRecent, membership, muted, chatClientIds, rate window,
 *       outbox slot index (every key in the room's slot: one Redis Cluster node runs the whole step)
 * (An event for Kafka only has frameBody '': it takes a seq but is neither stored for resume nor broadcast.)
 * ARGV: channel, frameBody|'', eventBody|'', eventsMaxLen, outboxMaxLen, expectedVersion|'', stateJson,
 *       newVersion, chatMessageId|'', chatHistorySize, ttlSeconds, endedMarker|'',
 *       memberId|'', ticketEpoch|'', checkMuted|'', tombstoneId|'', tombstoneJson, tombstoneSeq|'', traceparent|'',
 *       clientKey|'', rateMax|'', rateWindowMs
 * (clientKey: a chat message's `userId NUL clientMessageId`: a retry of a stored message writes nothing and
 * gets {4, storedFrame} back; the key is claimed in the same step as the write, so two attempts never both land.)
 * (rateMax: the member's fixed rate window (KEYS[10]) is counted first; over the limit nothing is written and
 * {5, msUntilReset} comes back. Both used to be round trips of their own before this script.)
 * (endedMarker, with the CAS: stored in the state hash's `ended` field together with the new state,
 * so a later report of the same end can be told apart from a stale one; see film-end.ts.)
 * (memberId: the event is a member's act; it is refused — nothing written — when their membership
 * has ended (see membership.ts), or, with checkMuted, when they are muted. Checked in the same step
 * as the write, so no act of a member lands after the revocation that ended their membership.)
 * (traceparent: the W3C trace of the act, kept beside the event in the outbox for its Kafka headers.)
 * (tombstoneId: a deleted chat message: its stored frame is replaced and its original room event
 * dropped from the resume stream, so the text is gone from history.)
 * Returns {1, seq, frame}; when the version moved on {0, currentStateJson}; {2, membershipState}
 * when the member's membership has ended; {3, 'muted'}; {4, storedFrame} a retried chat message;
 * {5, retryAfterMs} over the rate limit.
 */
export const EMIT_SCRIPT = `
if ARGV[20] and ARGV[20] ~= '' then
  local existing = redis.call('HGET', KEYS[9], ARGV[20])
  if existing then return {4, redis.call('HGET', KEYS[5], existing) or ''} end
end
if ARGV[21] and ARGV[21] ~= '' then
  local count = redis.call('INCR', KEYS[10])
  local ttl = redis.call('PTTL', KEYS[10])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[10], ARGV[22]) end
  if count > tonumber(ARGV[21]) then
    if ttl > 0 then return {5, ttl} end
    return {5, tonumber(ARGV[22])}
  end
end
if ARGV[13] and ARGV[13] ~= '' then
  local m = redis.call('HGET', KEYS[7], ARGV[13])
  if m then
    local sep = string.find(m, ':', 1, true)
    local at = tonumber(string.sub(m, 1, sep - 1))
    local state = string.sub(m, sep + 1)
    local mine = tonumber(ARGV[14])
    if state ~= 'joined' and (mine == nil or mine < at) then return {2, state} end
    if state == 'joined' and mine ~= nil and mine < at then return {2, 'superseded'} end
  end
  if ARGV[15] == '1' and redis.call('SISMEMBER', KEYS[8], ARGV[13]) == 1 then return {3, 'muted'} end
end
if ARGV[6] ~= '' then
  local current = redis.call('HGET', KEYS[4], 'version') or '0'
  if current ~= ARGV[6] then
    return {0, redis.call('HGET', KEYS[4], 'json') or ''}
  end
  redis.call('HSET', KEYS[4], 'version', ARGV[8], 'json', ARGV[7])
  if ARGV[12] and ARGV[12] ~= '' then redis.call('HSET', KEYS[4], 'ended', ARGV[12]) end
  redis.call('EXPIRE', KEYS[4], ARGV[11])
end
local seq = redis.call('INCR', KEYS[1])
-- The counter outlives the room's other keys by far (30 days), so a room's numbers never repeat
-- while anyone could still hold them, and idle rooms still leave nothing behind for good.
redis.call('EXPIRE', KEYS[1], 2592000)
local frame = ''
if ARGV[2] ~= '' then
  frame = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'f', frame)
  redis.call('EXPIRE', KEYS[2], ARGV[11])
end
if ARGV[3] ~= '' then
  local event = '{"seq":' .. seq .. ',' .. string.sub(ARGV[3], 2)
  if ARGV[19] and ARGV[19] ~= '' then
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'e', event, 't', ARGV[19])
  else
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'e', event)
  end
  redis.call('SADD', KEYS[11], KEYS[3])
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[9], frame)
  redis.call('LPUSH', KEYS[6], ARGV[9])
  local dropped = redis.call('LRANGE', KEYS[6], ARGV[10], -1)
  if #dropped > 0 then
    redis.call('LTRIM', KEYS[6], 0, tonumber(ARGV[10]) - 1)
    redis.call('HDEL', KEYS[5], unpack(dropped))
  end
  redis.call('EXPIRE', KEYS[5], 86400)
  redis.call('EXPIRE', KEYS[6], 86400)
end
if ARGV[16] and ARGV[16] ~= '' then
  if redis.call('HEXISTS', KEYS[5], ARGV[16]) == 1 then redis.call('HSET', KEYS[5], ARGV[16], ARGV[17]) end
  if ARGV[18] ~= '' then redis.call('XDEL', KEYS[2], ARGV[18] .. '-0') end
end
if ARGV[20] and ARGV[20] ~= '' then
  redis.call('HSET', KEYS[9], ARGV[20], ARGV[9])
  redis.call('EXPIRE', KEYS[9], 86400)
end
if frame ~= '' then redis.call('SPUBLISH', ARGV[1], frame) end
return {1, seq, frame}
`

/**
 * A room's snapshot for a joining socket, read in one step (one round trip, and everything from one
 * moment, as the MULTI it replaces): seq, player state, meta, members, their connection counts, the
 * muted set, and the recent chat — the ids, their stored frames and the room's reactions, which
 * otherwise took two more round trips after the MULTI. Writes nothing.
 * KEYS: seq, state, meta, members, conns, muted, chatRecent, chat, reactions (one slot)
 * ARGV: chatLimit
 * Returns {seq|'', stateJson|'', meta, members, conns (flat field/value lists), muted, chatFrames, reactions}.
 */
export const SNAPSHOT_SCRIPT = `
local limit = tonumber(ARGV[1])
local frames, reactions = {}, {}
if limit > 0 then
  local ids = redis.call('LRANGE', KEYS[7], 0, limit - 1)
  if #ids > 0 then
    frames = redis.call('HMGET', KEYS[8], unpack(ids))
    reactions = redis.call('HGETALL', KEYS[9])
  end
end
return {
  redis.call('GET', KEYS[1]) or '', redis.call('HGET', KEYS[2], 'json') or '',
  redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4]), redis.call('HGETALL', KEYS[5]),
  redis.call('SMEMBERS', KEYS[6]), frames, reactions
}
`

/**
 * A room's counts for room.counters, in one command (the counters tick reads every local room each
 * second: four commands per room were most of its cost). Writes nothing.
 * KEYS: conns, playing, buffering, meta (one slot). Returns {conns (flat field/value list), playing, buffering, filmId|''}.
 */
export const COUNTS_SCRIPT = `
return { redis.call('HGETALL', KEYS[1]), redis.call('SCARD', KEYS[2]), redis.call('HLEN', KEYS[3]), redis.call('HGET', KEYS[4], 'filmId') or '' }
`

/**
 * Counts a connection into its room in one step (it was a MULTI of 12 commands, each queued, encoded
 * and timed by the client on its own): the member and the ticket's control mode, the connection
 * counters, the TTLs, and with a film in the ticket the room's film and its queued state (unless the
 * room has a state already: the server owns the queue). Returns what presence needs to announce it.
 * KEYS: meta, state, members, conns, muted (one slot)
 * ARGV: userId, memberJson, controlMode, ttlSeconds, filmId|'', filmDurationMs, stateJson, stateVersion
 * Returns {userConnections, roomConnections, hostId|'', muted 0|1}.
 */
export const ADD_CONNECTION_SCRIPT = `
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'filmId', ARGV[5], 'filmDurationMs', ARGV[6])
  redis.call('HSETNX', KEYS[2], 'json', ARGV[7])
  redis.call('HSETNX', KEYS[2], 'version', ARGV[8])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[1], 'controlMode', ARGV[3])
local userConns = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
local total = redis.call('HINCRBY', KEYS[1], 'connections', 1)
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {userConns, total, redis.call('HGET', KEYS[1], 'hostId') or '', redis.call('SISMEMBER', KEYS[5], ARGV[1])}
`

/**
 * Counts a connection out of a room that still has its live state. A socket that closes after the
 * room was archived (room.archived deleted its keys) must not bring a key back with no expiry.
 * KEYS: conns, meta; ARGV: userId. Returns {userConns, total, live (1|0)}.
 */
export const COUNT_OUT_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 0 then return {0, 0, 0} end
return {redis.call('HINCRBY', KEYS[1], ARGV[1], -1), redis.call('HINCRBY', KEYS[2], 'connections', -1), 1}
`
/** Sets one field of a hash that exists; a deleted (archived) room stays deleted. KEYS: hash; ARGV: field, value. */
export const SET_IF_LIVE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
`

/**
 * The player state and the room's meta in one command (a player command reads both before its
 * compare-and-set). KEYS: state, meta (one slot). Returns {stateJson|'', meta (flat field/value list)}.
 */
export const STATE_AND_META_SCRIPT = `
return { redis.call('HGET', KEYS[1], 'json') or '', redis.call('HGETALL', KEYS[2]) }
`

/**
 * Runs a script by its SHA; on NOSCRIPT (a Redis restarted, a replica promoted, a node that never ran
 * it) sends the source once with EVAL, which also caches it there. Both route by the first key, so
 * with a cluster the script runs on the node of its keys.
 */
export function scriptRunner (redis: RedisClient, source: string) {
  const sha = createHash('sha1').update(source).digest('hex')
  return async (keys: string[], args: string[]): Promise<unknown> => {
    try {
      return await redis.evalSha(sha, { keys, arguments: args })
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err
      return await redis.eval(source, { keys, arguments: args })
    }
  }
}
