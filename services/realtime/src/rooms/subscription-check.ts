import { randomUUID } from 'node:crypto'

/**
 * Proves pub/sub subscriptions end to end: a probe is published on each channel and must come back
 * through this instance's listener. node-redis re-subscribes its channels after a reconnect, and
 * believes it did; after a Redis restart with socket churn (a stop, a dataset loading) some of those
 * subscriptions were found missing on the server while node-redis still listed them — the room went
 * silent on that instance (no frames, no kicks) until its sockets reconnected. Only a message through
 * the subscription tells the truth, so that is what is checked.
 *
 * Probes travel on the room's channel like any message and every instance subscribed to the room
 * sees them: `intercept` drops any probe (ours or another instance's) before the hub reads it.
 */
const PROBE_PREFIX = 'probe:'
const POLL_MS = 25

export interface SubscriptionCheck {
  /** True when `message` is a probe (not for the hub); marks ours as arrived. */
  intercept (message: string): boolean
  /** Publishes a probe on each channel; the channels whose probe did not come back within `waitMs`. */
  silent (channels: string[], waitMs: number): Promise<string[]>
}

export function createSubscriptionCheck (publish: (channel: string, message: string) => Promise<unknown>): SubscriptionCheck {
  const waiting = new Map<string, () => void>()
  return {
    intercept (message) {
      if (!message.startsWith(PROBE_PREFIX)) return false
      waiting.get(message)?.()
      return true
    },
    async silent (channels, waitMs) {
      const run = randomUUID()
      const probes = channels.map((channel, i) => ({ channel, message: `${PROBE_PREFIX}${run}:${i}`, back: false }))
      for (const probe of probes) waiting.set(probe.message, () => { probe.back = true })
      try {
        // A publish that fails (Redis away) fails the check: nothing can be concluded, the caller tries later.
        await Promise.all(probes.map(async (probe) => await publish(probe.channel, probe.message)))
        const deadline = Date.now() + waitMs
        while (probes.some((p) => !p.back) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        return probes.filter((p) => !p.back).map((p) => p.channel)
      } finally {
        for (const probe of probes) waiting.delete(probe.message)
      }
    }
  }
}
