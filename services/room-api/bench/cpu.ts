// CPU time spent by the processes a benchmark run depends on, read from /proc (Linux), so the
// table can say where the machine's two cores went: the server under test, PostgreSQL (the
// postmaster and every backend), the Kafka broker, and this process (autocannon).
import { readdirSync, readFileSync } from 'node:fs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

function stat (pid: number): { ppid: number, ms: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * TICK_MS }
  } catch {
    return undefined
  }
}

/** CPU ms used so far by `pid` itself plus (with `children`) its live child processes. */
export function cpuMs (pid: number | undefined, children = false): number {
  if (!pid) return 0
  let total = stat(pid)?.ms ?? 0
  if (!children) return total
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry)
    if (!Number.isInteger(child)) continue
    const s = stat(child)
    if (s?.ppid === pid) total += s.ms
  }
  return total
}

export function parentOf (pid: number): number | undefined {
  return stat(pid)?.ppid
}
