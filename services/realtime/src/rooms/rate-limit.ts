import type { RedisClient } from '../plugins/redis.js'

/**
 * A fixed-window counter per key in Redis, shared by all instances (chat and reactions).
 * Returns 0 when allowed, else the ms until the window resets.
 */
export function createRateLimiter (redis: RedisClient, max: number, windowMs: number) {
  return async (key: string): Promise<number> => {
    const [count, ttl] = await redis.multi().incr(key).pTTL(key).exec() as unknown as [number, number]
    if (ttl < 0) await redis.pExpire(key, windowMs)
    if (count <= max) return 0
    return ttl > 0 ? ttl : windowMs
  }
}
