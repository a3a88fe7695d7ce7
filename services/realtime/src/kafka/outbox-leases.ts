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

export interface LeaseTiming {
  /** A lease's life: a holder that stops renewing loses its buckets after this. */
  leaseMs: number
  /** A held lease is renewed this often… */
  renewMs: number
  /** …and trusted only this long after its last renewal (well inside leaseMs). */
  trustMs: number
  /** How often an instance under its fair share tries for a bucket another holds. */
  tryMs: number
  /**
   * A bucket seen free this long (looked at every tryMs) is taken by an instance at its fair share too,
   * and kept for a lease's life: the instance whose share it is has not taken it — stuck, or counting
   * the live instances differently — and its rooms' events would wait in Redis until someone's share grew.
   */
  orphanMs: number
}

export const LEASE_TIMING: LeaseTiming = { leaseMs: 30_000, renewMs: 5_000, trustMs: 20_000, tryMs: 1_000, orphanMs: 10_000 }

/**
 * The buckets this instance publishes. Each instance takes free buckets up to its fair share
 * (buckets / live instances, rounded up) and gives back what is above it, so a new instance gets
 * work within seconds; each renews its own, so a crashed instance's buckets pass to the others within
 * leaseMs, and a bucket nobody under their share takes passes to anyone after orphanMs.
 */
export function createOutboxLeases (
  redis: RedisClient, index: OutboxIndex, holder: string, log: FastifyBaseLogger, liveInstances: () => Promise<number>, timing: LeaseTiming = LEASE_TIMING
) {
  const lease = scriptRunner(redis, LEASE_SCRIPT)
  const release = scriptRunner(redis, RELEASE_SCRIPT)
  /** bucket → when its lease was last confirmed ours. */
  const held = new Map<number, number>()
  const tried = new Map<number, number>()
  /** Buckets not ours, seen free: since when (looked at while this instance is at its fair share). */
  const freeSince = new Map<number, number>()
  /** Buckets taken as orphans: when (not given back for a lease's life). */
  const adopted = new Map<number, number>()
  let lookedAt = 0
  let fair = index.buckets
  let balanced = 0

  async function attempt (bucket: number, now: number) {
    tried.set(bucket, now)
    const ok = Boolean(await lease([index.leaseOf(bucket)], [holder, String(timing.leaseMs)]))
    if (ok) {
      if (!held.has(bucket)) log.info({ bucket }, 'outbox bucket lease taken')
      held.set(bucket, now)
      freeSince.delete(bucket)
    } else if (held.delete(bucket)) {
      log.warn({ bucket }, 'outbox bucket lease lost')
    }
    return ok
  }

  /**
   * At its fair share: the buckets that have been free for orphanMs, adopted (one GET per other bucket per
   * tryMs). Looks that were far apart (slow passes, a backoff) prove nothing about the time between them.
   * A lease that cannot be read counts as held: another node's trouble must not stop this instance's pass.
   */
  async function adoptOrphans (now: number) {
    if (now - lookedAt > 2 * timing.tryMs) freeSince.clear()
    lookedAt = now
    const others = Array.from({ length: index.buckets }, (_, bucket) => bucket).filter((bucket) => !held.has(bucket))
    const leases = await Promise.all(others.map(async (bucket) => await redis.get(index.leaseOf(bucket)).catch(() => 'unknown')))
    for (const [i, bucket] of others.entries()) {
      if (leases[i] !== null) { freeSince.delete(bucket); continue }
      const since = freeSince.get(bucket) ?? now
      freeSince.set(bucket, since)
      if (now - since < timing.orphanMs) continue
      freeSince.delete(bucket)
      if (await attempt(bucket, now).catch(() => false)) {
        adopted.set(bucket, now)
        log.warn({ bucket, freeMs: now - since, fair }, 'outbox bucket free while every instance held its fair share: taken beyond it')
      }
    }
  }

  return {
    /** The buckets held now (taking free ones, renewing held ones when due). */
    async current (now = Date.now()): Promise<number[]> {
      if (now - balanced >= timing.tryMs) {
        balanced = now
        const before = fair
        fair = Math.ceil(index.buckets / Math.max(1, await liveInstances().catch(() => 1)))
        // An instance joined: adopted buckets may be its share now.
        if (fair < before) adopted.clear()
        const expired = new Set<number>()
        for (const [bucket, at] of adopted) {
          if (now - at >= timing.leaseMs || !held.has(bucket)) { adopted.delete(bucket); expired.add(bucket) }
        }
        const givable = [...held.keys()].filter((bucket) => !adopted.has(bucket))
        for (const bucket of givable.slice(fair)) {
          held.delete(bucket)
          await release([index.leaseOf(bucket)], [holder]).catch(() => 0)
          // An adopted one given back: if nobody under their share takes it within a couple of tries, the
          // reason it was adopted holds still, and it is adopted again soon rather than after orphanMs more.
          if (expired.has(bucket)) freeSince.set(bucket, now - timing.orphanMs + 2 * timing.tryMs)
          log.info({ bucket, fair }, 'outbox bucket given back (more than a fair share)')
        }
        if (held.size >= fair) {
          await adoptOrphans(now).catch((err: Error) => log.warn({ err }, 'looking for orphaned outbox buckets failed'))
        } else {
          freeSince.clear()
        }
      }
      const renewals = [...held.keys()].filter((bucket) => now - (tried.get(bucket) ?? 0) >= timing.renewMs)
      await Promise.all(renewals.map(async (bucket) => await attempt(bucket, now)))
      // Under its share: every other bucket is asked for (one by one, each at most once per tryMs) until
      // the share is held, so a bucket given back is found within tryMs, whichever it is.
      for (let bucket = 0; bucket < index.buckets && held.size < fair; bucket++) {
        if (!held.has(bucket) && now - (tried.get(bucket) ?? 0) >= timing.tryMs) await attempt(bucket, now)
      }
      const end = Date.now()
      return [...held].filter(([, at]) => end - at < timing.trustMs).map(([bucket]) => bucket)
    },
    /** The buckets held now, as last confirmed (no Redis call). */
    held: () => [...held.keys()].sort((a, b) => a - b),
    /** For diagnosis: this holder's id and fair share, how long ago each held bucket was confirmed ours, and those adopted. */
    status: (now = Date.now()) => ({ holder, fair, confirmedAgoMs: Object.fromEntries([...held].map(([bucket, at]) => [bucket, now - at])), adopted: [...adopted.keys()] }),
    async releaseAll () {
      await Promise.all([...held.keys()].map(async (bucket) => await release([index.leaseOf(bucket)], [holder]).catch(() => 0)))
      held.clear()
    }
  }
}
