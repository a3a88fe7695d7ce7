/** A dependency check: resolves when the dependency answers a real request, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>

export interface ReadinessCheckOptions {
  /**
   * False for a dependency the service keeps working without (it holds its work until the
   * server returns, like an outbox for Kafka): reported in /readyz, but never makes it 503,
   * so a load balancer does not pull healthy instances during that outage.
   */
  critical?: boolean
}

export interface ReadinessRegistry {
  /** Each resource plugin registers how to ask its server whether it answers. */
  add (name: string, check: ReadinessCheck, opts?: ReadinessCheckOptions): void
  run (timeoutMs: number): Promise<{ ready: boolean, checks: Record<string, string> }>
}

export function createReadinessRegistry (): ReadinessRegistry {
  const checks = new Map<string, { check: ReadinessCheck, critical: boolean }>()
  return {
    add (name, check, opts = {}) { checks.set(name, { check, critical: opts.critical ?? true }) },
    async run (timeoutMs) {
      const results: Record<string, string> = {}
      let ready = true
      await Promise.all([...checks].map(async ([name, { check, critical }]) => {
        let timer: NodeJS.Timeout | undefined
        try {
          await Promise.race([
            check(),
            new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs) })
          ])
          results[name] = 'ok'
        } catch (err) {
          if (critical) ready = false
          results[name] = (err as Error).message || 'failed'
        } finally {
          clearTimeout(timer)
        }
      }))
      return { ready, checks: results }
    }
  }
}
