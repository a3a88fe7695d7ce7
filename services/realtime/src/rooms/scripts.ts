import type { RedisClient } from '../plugins/redis.js'

/**
 * Appends one event to a room, atomically: optional compare-and-set of the player state on its
 * version, the next room seq, the room's recent-events stream, the Kafka outbox and the pub/sub
 * fan-out. Being one script, events of a room are published in seq order, whichever instance
 * emits them, and no event can be broadcast without being held for Kafka (or the reverse).
 *
 * Bodies are JSON objects without `seq`; the script splices `"seq":N,` in front, so it never has to
 * re-encode JSON (cjson would turn empty arrays into objects).
 *
 * KEYS: seq, events, outbox, state, chat, chatRecent, membership, muted
 * (An event for Kafka only has frameBody '': it takes a seq but is neither stored for resume nor broadcast.)
 * ARGV: channel, frameBody|'', eventBody|'', eventsMaxLen, outboxMaxLen, expectedVersion|'', stateJson,
 *       newVersion, chatMessageId|'', chatHistorySize, ttlSeconds, endedMarker|'',
 *       memberId|'', ticketEpoch|'', checkMuted|'', tombstoneId|'', tombstoneJson, tombstoneSeq|'', traceparent|''
 * (endedMarker, with the CAS: stored in the state hash's `ended` field together with the new state,
 * so a later report of the same end can be told apart from a stale one; see film-end.ts.)
 * (memberId: the event is a member's act; it is refused — nothing written — when their membership
 * has ended (see membership.ts), or, with checkMuted, when they are muted. Checked in the same step
 * as the write, so no act of a member lands after the revocation that ended their membership.)
 * (traceparent: the W3C trace of the act, kept beside the event in the outbox for its Kafka headers.)
 * (tombstoneId: a deleted chat message: its stored frame is replaced and its original room event
 * dropped from the resume stream, so the text is gone from history.)
 * Returns {1, seq, frame}; when the version moved on {0, currentStateJson}; {2, membershipState}
 * when the member's membership has ended; {3, 'muted'}.
 */
export const EMIT_SCRIPT = `
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
if frame ~= '' then redis.call('PUBLISH', ARGV[1], frame) end
return {1, seq, frame}
`

/** Runs a script by its SHA, loading it on the first NOSCRIPT (e.g. after a Redis restart). */
export function scriptRunner (redis: RedisClient, source: string) {
  let sha: string | undefined
  return async (keys: string[], args: string[]): Promise<unknown> => {
    sha ??= await redis.scriptLoad(source)
    try {
      return await redis.evalSha(sha, { keys, arguments: args })
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err
      sha = await redis.scriptLoad(source)
      return await redis.evalSha(sha, { keys, arguments: args })
    }
  }
}
