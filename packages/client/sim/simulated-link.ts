import { WebSocket } from 'ws'
import type { WebSocketConstructor, WebSocketLike } from '../src/socket.js'

export interface LinkOptions {
  /** One-way latency client → server (ms). */
  upMs: number
  /** One-way latency server → client (ms). */
  downMs: number
  /** Each packet gets a random extra delay within ± this (ms); order is kept, as on TCP. */
  jitterMs?: number
  random?: () => number
}

/**
 * One direction of a link: delays every packet, never reorders (a late packet holds the ones
 * after it). One queue drained in order: separate timers could swap packets due within a ms.
 */
class Lane {
  private lastAt = 0
  private readonly queue: Array<{ at: number, fn: () => void }> = []
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (private readonly baseMs: number, private readonly jitterMs: number, private readonly random: () => number) {}

  deliver (fn: () => void) {
    const now = performance.now()
    const delay = Math.max(0, this.baseMs + (this.random() * 2 - 1) * this.jitterMs)
    this.lastAt = Math.max(now + delay, this.lastAt)
    this.queue.push({ at: this.lastAt, fn })
    if (this.queue.length === 1) this.arm()
  }

  private arm () {
    clearTimeout(this.timer)
    const head = this.queue[0]
    if (!head) return
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.at - performance.now()))
  }

  private drain () {
    const now = performance.now()
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) this.queue.shift()!.fn()
    this.arm()
  }
}

/**
 * A simulated network path for one client: a real `ws` socket to the real server, with
 * latency and jitter added in both directions, and drops on demand. `link.WebSocket` is the
 * constructor to hand to the SDK.
 */
export class SimulatedLink {
  readonly WebSocket: WebSocketConstructor
  private current: WebSocket | null = null
  drops = 0

  constructor (readonly opts: LinkOptions) {
    const link = this
    const random = opts.random ?? Math.random
    this.WebSocket = class SimulatedSocket implements WebSocketLike {
      onopen: ((event: unknown) => void) | null = null
      onmessage: ((event: { data: unknown }) => void) | null = null
      onclose: ((event: { code: number, reason: string }) => void) | null = null
      onerror: ((event: unknown) => void) | null = null
      private readonly up = new Lane(opts.upMs, opts.jitterMs ?? 0, random)
      private readonly down = new Lane(opts.downMs, opts.jitterMs ?? 0, random)
      private readonly socket: WebSocket
      private state = 0

      constructor (url: string) {
        // The handshake crosses the link once each way before the server sees the socket.
        this.socket = new WebSocket(url)
        link.current = this.socket
        this.socket.on('open', () => this.down.deliver(() => { this.state = 1; this.onopen?.({}) }))
        this.socket.on('message', (data, isBinary) => {
          const text = isBinary ? data : data.toString()
          this.down.deliver(() => { if (this.state === 1) this.onmessage?.({ data: text }) })
        })
        this.socket.on('error', () => {})
        this.socket.on('close', (code, reason) => this.down.deliver(() => {
          this.state = 3
          this.onclose?.({ code, reason: reason.toString() })
        }))
      }

      get readyState () { return this.state }

      send (data: string) {
        this.up.deliver(() => { if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data) })
      }

      close (code?: number, reason?: string) {
        if (this.state === 3) return
        this.state = 2
        if (code === 4000) { this.socket.terminate(); return }
        this.up.deliver(() => this.socket.close(code === undefined || code < 3000 ? 1000 : code, reason))
      }
    }
  }

  /** Cuts the connection as a network failure would (no close handshake). */
  drop () {
    this.drops++
    this.current?.terminate()
  }
}
