import type { FastifyBaseLogger } from 'fastify'
import type { RedisClient } from '../plugins/redis.js'
import { scriptRunner } from '../rooms/scripts.js'
import type { OutboxIndex } from './outbox-index.js'

/** Takes or renews a bucket's lease: one instance at a time drains a bucket, so each room's order holds. */
const LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`
const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

export const LEASE_MS = 30_000
/** A held lease is renewed this often, and trusted only this long after its last renewal (well inside LEASE_MS). */
const RENEW_MS = 5_000
const TRUST_MS = LEASE_MS - 10_000
/** How often an instance tries for a bucket another holds (a dead holder's lease expires after LEASE_MS). */
const TRY_MS = 1_000

/**
 * The buckets this instance publishes. Each instance takes free buckets up to its fair share
 * (buckets / live instances, rounded up) and gives back what is above it, so a new instance gets
 * work within seconds; each renews its own, so a crashed instance's buckets pass to the others within LEASE_MS.
 */
export function createOutboxLeases (redis: RedisClient, index: OutboxIndex, holder: string, log: FastifyBaseLogger, liveInstances: () => Promise<number>) {
  const lease = scriptRunner(redis, LEASE_SCRIPT)
  const release = scriptRunner(redis, RELEASE_SCRIPT)
  /** bucket → when its lease was last confirmed ours. */
  const held = new Map<number, number>()
  const tried = new Map<number, number>()
  let fair = index.buckets
  let balanced = 0

  async function attempt (bucket: number, now: number) {
    tried.set(bucket, now)
    const ok = Boolean(await lease([index.leaseOf(bucket)], [holder, String(LEASE_MS)]))
    if (ok) {
      if (!held.has(bucket)) log.info({ bucket }, 'outbox bucket lease taken')
      held.set(bucket, now)
    } else if (held.delete(bucket)) {
      log.warn({ bucket }, 'outbox bucket lease lost')
    }
  }

  return {
    /** The buckets held now (taking free ones, renewing held ones when due). */
    async current (now = Date.now()): Promise<number[]> {
      if (now - balanced >= TRY_MS) {
        balanced = now
        fair = Math.ceil(index.buckets / Math.max(1, await liveInstances().catch(() => 1)))
        for (const bucket of [...held.keys()].slice(fair)) {
          held.delete(bucket)
          await release([index.leaseOf(bucket)], [holder]).catch(() => 0)
          log.info({ bucket, fair }, 'outbox bucket given back (more than a fair share)')
        }
      }
      const due: number[] = []
      for (let bucket = 0; bucket < index.buckets; bucket++) {
        const at = held.get(bucket)
        if (at === undefined && held.size + due.length >= fair) continue
        const wait = at === undefined ? TRY_MS : RENEW_MS
        if (now - (tried.get(bucket) ?? 0) >= wait) due.push(bucket)
      }
      await Promise.all(due.map(async (bucket) => await attempt(bucket, now)))
      return [...held].filter(([, at]) => now - at < TRUST_MS).map(([bucket]) => bucket)
    },
    /** The buckets held now, as last confirmed (no Redis call). */
    held: () => [...held.keys()].sort((a, b) => a - b),
    /** For diagnosis: this holder's id and fair share, and how long ago each held bucket was confirmed ours. */
    status: (now = Date.now()) => ({ holder, fair, confirmedAgoMs: Object.fromEntries([...held].map(([bucket, at]) => [bucket, now - at])) }),
    async releaseAll () {
      await Promise.all([...held.keys()].map(async (bucket) => await release([index.leaseOf(bucket)], [holder]).catch(() => 0)))
      held.clear()
    }
  }
}
