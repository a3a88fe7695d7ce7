import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createSocket } from 'node:dgram'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The keys a test's own LiveKit server trusts (its own, never the stack's). */
export const TEST_LIVEKIT_KEY = 'wt-test-key'
export const TEST_LIVEKIT_SECRET = 'wt-test-livekit-secret-0123456789abcdef'

export interface TestLivekit {
  /** The server API (RoomService) over HTTP. */
  url: string
  /** Signaling, as a browser connects (ws://). */
  wsUrl: string
  apiKey: string
  apiSecret: string
  /** The server's log so far (for a failing test's message). */
  log: () => string
}

interface Teardown { teardown (fn: () => unknown): void }

/** A TCP port free on loopback right now (the OS picks it). */
export async function freeTcpPort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

async function freeUdpPort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port
      socket.close(() => resolve(port))
    })
  })
}

/**
 * The LiveKit binary infra/local/stack built and cached (`infra/local/stack up livekit` builds it
 * through the Go module proxy). A missing binary fails the test and says how to build it.
 */
export async function livekitBinary (): Promise<string> {
  const { stdout } = await run('infra/local/stack', ['path', 'livekit'], { cwd: ROOT, env: process.env, timeout: 30_000 })
  const bin = stdout.trim()
  if (!existsSync(bin)) throw new Error(`LiveKit is not built at ${bin}: run infra/local/stack up livekit (infra/dev test does it)`)
  return bin
}

/**
 * A LiveKit server of the test's own, on free loopback ports, with its webhooks pointed at the
 * test's room-api (its URL is fixed in LiveKit's configuration, so a shared server could not
 * reach the room-api each test file builds on a port of its own). Stopped at teardown.
 */
export async function startLivekit (t: Teardown, opts: { webhookUrl?: string } = {}): Promise<TestLivekit> {
  const bin = await livekitBinary()
  const [port, tcpPort, udpPort] = [await freeTcpPort(), await freeTcpPort(), await freeUdpPort()]
  const dir = mkdtempSync(join(tmpdir(), 'wt-livekit-'))
  const config = [
    `port: ${port}`,
    'bind_addresses: ["127.0.0.1"]',
    'rtc:',
    `  tcp_port: ${tcpPort}`,
    `  udp_port: ${udpPort}`,
    '  use_external_ip: false',
    '  node_ip: 127.0.0.1',
    '  enable_loopback_candidate: true',
    '  ips:',
    '    includes: ["127.0.0.1/32"]',
    'keys:',
    `  ${TEST_LIVEKIT_KEY}: ${TEST_LIVEKIT_SECRET}`,
    'logging:',
    '  level: warn',
    ...(opts.webhookUrl ? ['webhook:', `  api_key: ${TEST_LIVEKIT_KEY}`, '  urls:', `    - ${opts.webhookUrl}`] : [])
  ].join('\n')
  writeFileSync(join(dir, 'livekit.yaml'), config)
  let output = ''
  const child: ChildProcess = spawn(bin, ['--config', join(dir, 'livekit.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000) })
  child.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000) })
  let exited = false
  child.once('exit', () => { exited = true })
  t.teardown(async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await gone
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (exited) throw new Error(`LiveKit exited at start:\n${output}`)
    // LiveKit answers its root path with "OK" once it serves signaling and the server API.
    const answer = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => '')
    if (answer.trim() === 'OK') break
    if (Date.now() > deadline) throw new Error(`LiveKit did not answer at ${url} within 60 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, wsUrl: url.replace(/^http/, 'ws'), apiKey: TEST_LIVEKIT_KEY, apiSecret: TEST_LIVEKIT_SECRET, log: () => output }
}
