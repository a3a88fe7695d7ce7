// The short chaos soak (issue 20) in the test command: `pnpm soak --ci` for about 3 minutes — 20 rooms ×
// 3 members over two realtime instances, two room-api and two etl-worker instances, while a seeded
// schedule kills, stops and freezes every kind of server and instance — and every invariant must hold.
// It stops and restarts servers, so it is a fault test: `infra/dev test` runs it on the fault tests' own
// stack, one fault file at a time. SOAK_SEED replays another schedule (the report prints the seed).
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import t from 'tap'

const ROOT = resolve(import.meta.dirname, '../../..')
const seed = process.env.SOAK_SEED ?? '20'
const minutes = process.env.SOAK_MINUTES ?? '2.5'

t.setTimeout(540_000)

t.test(`a ${minutes}-minute chaos soak (seed ${seed}) ends with every invariant holding`, async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/soak/run.ts', '--ci', '--minutes', minutes, '--seed', seed], {
    cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe']
  })
  let report = ''
  let progress = ''
  child.stdout.on('data', (chunk: Buffer) => { report += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { progress += chunk.toString(); process.stderr.write(chunk) })
  const code = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.comment(report)
  if (code === 2) t.fail(`the soak could not run: ${progress.split('\n').slice(-15).join('\n')}`)
  t.match(report, /PASS: 0 violation\(s\)\./, 'zero invariant violations')
  t.equal(code, 0, 'the soak exits 0')
})
