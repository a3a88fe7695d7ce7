import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export interface BuiltService {
  child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output (): string
  /** Its JSON log lines so far (other lines skipped). */
  logs (): Array<Record<string, unknown>>
  base: string
  port: number
  stop (): Promise<void>
}

interface Teardown { teardown (fn: () => unknown): void }

/** A free TCP port on loopback (asked of the OS, then released). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Starts a service as deployed (services/NAME/dist/server.js, built beforehand) on a free port,
 * with `env` over this process's environment, and waits until it listens. Killed at teardown.
 */
export async function startBuiltService (t: Teardown, service: string, env: Record<string, string>): Promise<BuiltService> {
  let out = ''
  const port = await freePort()
  const child = spawn(process.execPath, [resolve(ROOT, `services/${service}/dist/server.js`)], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`${service} exited ${child.exitCode}: ${out.slice(-2000)}`)
    if (out.includes('Server listening at')) break
    if (tries > 600) throw new Error(`${service} did not listen in 60 s: ${out.slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    child,
    output: () => out,
    logs: () => out.split('\n').flatMap((line) => { try { return [JSON.parse(line) as Record<string, unknown>] } catch { return [] } }),
    base: `http://127.0.0.1:${port}`,
    port,
    async stop () {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
  }
}
