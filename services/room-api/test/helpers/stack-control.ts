import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** Drives this worktree's own servers through infra/local/stack (pid files, never by name). */
export async function stackCommand (action: 'up' | 'down', server: 'postgres' | 'kafka') {
  await run('infra/local/stack', [action, server], { cwd: ROOT, env: process.env, timeout: 180_000 })
}
