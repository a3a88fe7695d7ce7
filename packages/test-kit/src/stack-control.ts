import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
// packages/test-kit/{src,dist}/ → the repository root.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export type StackServer = 'postgres' | 'redis' | 'kafka' | 'mongo'

/**
 * Stops or starts one of this checkout's own servers through infra/local/stack (pid files, never by
 * name), with the caller's environment: under `infra/dev test` that is the fault tests' own stack.
 */
export async function stackCommand (action: 'up' | 'down', server: StackServer) {
  await run('infra/local/stack', [action, server], { cwd: ROOT, env: process.env, timeout: 180_000 })
}
