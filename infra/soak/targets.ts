// What the soak's faults act on: the stack's four servers (by the pid files infra/local/stack writes under
// WT_STACK_DIR, never by process name) and the service instances it runs itself as child processes.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import type { FaultKind } from './schedule.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const STACK_DIR = process.env.WT_STACK_DIR ?? resolve(ROOT, '.stack')
export const LOG_DIR = resolve(STACK_DIR, 'logs/soak')
const run = promisify(execFile)
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Target {
  readonly name: string
  readonly kind: 'server' | 'service'
  /** Applies the fault (the target is then down or frozen). */
  fault (kind: FaultKind): Promise<void>
  /** Ends it: restarts what was killed or stopped, thaws what was frozen. */
  heal (kind: FaultKind): Promise<void>
}

/** The processes of a pid and its descendants (a frozen PostgreSQL is its postmaster and every backend). */
function processTree (pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  const out = [pid]
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []))
  return out
}

function signalTree (pid: number, signal: NodeJS.Signals) {
  for (const p of processTree(pid)) { try { process.kill(p, signal) } catch {} }
}

const SERVER_PATTERNS: Record<string, string> = { redis: 'redis-server', kafka: 'kafka.Kafka', mongo: 'ferretdb-local', postgres: 'postgres' }

export class Server implements Target {
  readonly kind = 'server'
  constructor (readonly name: 'postgres' | 'redis' | 'kafka' | 'mongo') {}

  /** The server's pid from this stack's own pid file, checked against its command line. */
  pid (): number | undefined {
    const file = this.name === 'postgres' ? resolve(STACK_DIR, 'data/postgres/postmaster.pid') : resolve(STACK_DIR, `run/${this.name}.pid`)
    if (!existsSync(file)) return undefined
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0])
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SERVER_PATTERNS[this.name]!)) return undefined
    } catch { return undefined }
    return pid
  }

  async stack (action: 'up' | 'down') {
    // After a SIGKILL, PostgreSQL's orphaned backends hold its shared memory for a moment, and Kafka's
    // port may linger: a few tries.
    for (let attempt = 1; ; attempt++) {
      try {
        await run(resolve(ROOT, 'infra/local/stack'), [action, this.name], { cwd: ROOT, env: process.env, timeout: 240_000 })
        return
      } catch (err) {
        if (attempt >= 6) throw new Error(`stack ${action} ${this.name}: ${(err as Error).message.split('\n').slice(-3).join(' ')}`)
        await sleep(2000 * attempt)
      }
    }
  }

  async fault (kind: FaultKind) {
    const pid = this.pid()
    if (kind === 'stop') return await this.stack('down')
    if (pid === undefined) throw new Error(`${this.name}: no live pid to ${kind}`)
    if (kind === 'kill') {
      process.kill(pid, 'SIGKILL')
      while (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) await sleep(100)
    } else {
      signalTree(pid, 'SIGSTOP')
    }
  }

  async heal (kind: FaultKind) {
    if (kind === 'freeze') {
      const pid = this.pid()
      if (pid !== undefined) signalTree(pid, 'SIGCONT')
      return
    }
    await this.stack('up')
  }

  /** Thaws whatever is still frozen (a soak stopped half-way must not leave a server stopped). */
  thaw () { const pid = this.pid(); if (pid !== undefined) signalTree(pid, 'SIGCONT') }
}

export interface Crash { name: string, at: number, code: number | null, signal: string | null }

/** One service instance (dist/server.js, as deployed) on a fixed loopback port, restartable on that port. */
export class Service implements Target {
  readonly kind = 'service'
  child: ChildProcess | undefined
  readonly url: string
  /** Set while an exit is the schedule's doing (killed or stopped): any other exit is a crash. */
  expectExit = false
  frozen = false
  starts = 0
  rssStartKiB: number | undefined

  constructor (readonly name: string, readonly service: string, readonly port: number, readonly env: Record<string, string>, readonly onCrash: (c: Crash) => void) {
    this.url = `http://127.0.0.1:${port}`
  }

  get pid () { return this.child?.pid }
  get alive () { return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null }

  async start () {
    mkdirSync(LOG_DIR, { recursive: true })
    const log = createWriteStream(resolve(LOG_DIR, `${this.name}.log`), { flags: 'a' })
    const child = spawn(process.execPath, [resolve(ROOT, `services/${this.service}/dist/server.js`)], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(this.port), LOG_LEVEL: 'warn', NODE_ENV: 'development', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    child.stdout!.pipe(log)
    child.stderr!.pipe(log)
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.expectExit) return
      this.onCrash({ name: this.name, at: Date.now(), code, signal })
      // Keep the soak going: an unscheduled crash is reported, and the instance comes back.
      setTimeout(() => { if (this.child === child && !this.expectExit) this.start().catch(() => {}) }, 1000)
    })
    this.starts++
    this.expectExit = false
    await this.waitHealthy()
  }

  async waitHealthy (timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited; see ${LOG_DIR}/${this.name}.log`)
      try { if ((await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return } catch {}
      await sleep(200)
    }
    throw new Error(`${this.name} not healthy after ${timeoutMs} ms`)
  }

  async ready (): Promise<boolean> {
    try { return (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(3000) })).ok } catch { return false }
  }

  private exited (child: ChildProcess) {
    return new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
  }

  async fault (kind: FaultKind) {
    const child = this.child
    if (!child || !this.alive) throw new Error(`${this.name} is not running`)
    if (kind === 'freeze') { child.kill('SIGSTOP'); this.frozen = true; return }
    this.expectExit = true
    const gone = this.exited(child)
    if (kind === 'kill') child.kill('SIGKILL')
    else {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await gone
      clearTimeout(killer)
    }
    await gone
  }

  async heal (kind: FaultKind) {
    if (kind === 'freeze') { this.child?.kill('SIGCONT'); this.frozen = false; return }
    await this.start()
  }

  /** Resident memory (KiB) from /proc. */
  rssKiB (): number | undefined {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))
      return m ? Number(m[1]) : undefined
    } catch { return undefined }
  }

  async stop () {
    const child = this.child
    if (!child) return
    this.expectExit = true
    if (this.frozen) child.kill('SIGCONT')
    if (!this.alive) return
    const gone = this.exited(child)
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.kill('SIGTERM')
    await gone
    clearTimeout(killer)
  }
}
