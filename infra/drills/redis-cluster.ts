// The Redis Cluster of the local stack (infra/local/stack up redis-cluster) as the failover drill sees it:
// which primary serves a key, its process (the stack's pid file), and when its replica has taken over.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { ROOT, sleep, stackEnv } from './services.js'

const run = promisify(execFile)
const STACK_DIR = process.env.WT_STACK_DIR ?? resolve(ROOT, '.stack')

export function clusterNodes (): string[] {
  const nodes = stackEnv.redisClusterNodes.split(',').filter(Boolean)
  if (nodes.length === 0) throw new Error('REDIS_CLUSTER_NODES is not set: start the cluster with infra/local/stack up redis-cluster and export what it prints')
  return nodes
}

async function cli (node: string, ...args: string[]) {
  const [host, port] = node.split(':')
  return (await run('redis-cli', ['-h', host!, '-p', port!, ...args], { timeout: 5000 })).stdout.trim()
}

interface ClusterNode { id: string, address: string, primary: boolean, failed: boolean, slots: Array<[number, number]> }

/** CLUSTER NODES as one live node sees it. */
export async function topology (): Promise<ClusterNode[]> {
  for (const node of clusterNodes()) {
    try {
      return (await cli(node, 'CLUSTER', 'NODES')).split('\n').map((line) => {
        const [id, addr, flags, , , , , , ...slots] = line.split(' ')
        return {
          id: id!,
          address: addr!.split('@')[0]!,
          primary: flags!.includes('master'),
          failed: flags!.includes('fail'),
          slots: slots.filter((s) => /^\d/.test(s)).map((s) => { const [a, b] = s.split('-'); return [Number(a), Number(b ?? a)] as [number, number] })
        }
      })
    } catch {}
  }
  throw new Error('no Redis Cluster node answers')
}

/** The primary serving `key` now. */
export async function primaryOf (key: string): Promise<string> {
  const slot = Number(await cli(clusterNodes()[0]!, 'CLUSTER', 'KEYSLOT', key))
  const owner = (await topology()).find((n) => n.primary && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b))
  if (!owner) throw new Error(`no primary serves slot ${slot}`)
  return owner.address
}

/** kill -9 of a node's redis-server, by the stack's pid file. */
export function killNode (address: string) {
  const port = address.split(':')[1]
  const pid = Number(readFileSync(resolve(STACK_DIR, `run/redis-cluster-${port}.pid`), 'utf8').trim())
  process.kill(pid, 'SIGKILL')
}

/** Waits until the slots `address` served are served by another primary (its replica, promoted); ms taken. */
export async function waitFailover (address: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now()
  const before = (await topology()).find((n) => n.address === address)!.slots
  while (Date.now() - started < timeoutMs) {
    await sleep(200)
    try {
      const now = await topology()
      const taken = now.find((n) => n.primary && !n.failed && n.address !== address && n.slots.some(([a]) => a === before[0]![0]))
      if (taken) return Date.now() - started
    } catch {}
  }
  throw new Error(`no replica took over from ${address} within ${timeoutMs} ms`)
}
