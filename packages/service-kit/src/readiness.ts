/** A dependency check: resolves when the dependency answers a real request, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>

export interface ReadinessRegistry {
  /** Each resource plugin registers how to ask its server whether it answers. */
  add (name: string, check: ReadinessCheck): void
  run (timeoutMs: number): Promise<{ ready: boolean, checks: Record<string, string> }>
}

export function createReadinessRegistry (): ReadinessRegistry {
  const checks = new Map<string, ReadinessCheck>()
  return {
    add (name, check) { checks.set(name, check) },
    async run (timeoutMs) {
      const results: Record<string, string> = {}
      let ready = true
      await Promise.all([...checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined
        try {
          await Promise.race([
            check(),
            new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs) })
          ])
          results[name] = 'ok'
        } catch (err) {
          ready = false
          results[name] = (err as Error).message || 'failed'
        } finally {
          clearTimeout(timer)
        }
      }))
      return { ready, checks: results }
    }
  }
}
