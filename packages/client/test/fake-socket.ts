// A socket the test plays the server of, for RoomClient unit tests without a server.
import { waitFor } from '@watch-together/test-kit'
import { RoomClient, type RoomClientOptions, type WebSocketConstructor, type WebSocketLike } from '../src/index.js'

/** Frames in with `serve`, closes with `drop`; what the client sent is in `sent`. */
export class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = []
  readyState = 1
  sent: Array<Record<string, any>> = []
  onopen: WebSocketLike['onopen'] = null
  onmessage: WebSocketLike['onmessage'] = null
  onclose: WebSocketLike['onclose'] = null
  onerror: WebSocketLike['onerror'] = null
  constructor (readonly url: string) { FakeSocket.all.push(this) }
  send (data: string) { this.sent.push(JSON.parse(data)) }
  close (code = 1000, reason = '') { this.drop(code, reason) }
  serve (frame: object) { this.onmessage?.({ data: JSON.stringify(frame) }) }
  drop (code: number, reason = '') {
    if (this.readyState === 3) return
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
}

/** A client on fake sockets; `tickets` counts the ticket provider's calls, `socket(n)` waits for the n-th socket. */
export function fakeClient (t: { teardown (fn: () => unknown): void }, ticket?: string, extra: Partial<RoomClientOptions> = {}) {
  FakeSocket.all = []
  const counter = { tickets: 0 }
  const client = new RoomClient({
    url: 'ws://fake',
    roomId: 'room',
    ticket: ticket ?? (() => `ticket-${++counter.tickets}`),
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    commandTimeoutMs: 500,
    ...extra
  })
  t.teardown(() => client.close())
  const socket = async (n: number) => await waitFor(`socket ${n}`, () => FakeSocket.all[n - 1])
  return { client, counter, socket }
}

/** A room state the scripted tests start from: the film queued, paused at 0, version 1. */
export const pausedFilm = { queue: ['film'], index: 0, itemId: 'film', playing: false, positionMs: 0, refAt: 1, rate: 1, version: 1, leaderId: null }

/** A session.ready as the server sends it to Ann, a guest in Host's room; `extra` replaces any field. */
export function sessionReady (seq: number, extra: object = {}) {
  return {
    type: 'session.ready',
    connectionId: 'c',
    you: { userId: 'ann', name: 'Ann', role: 'guest', muted: false },
    hostId: 'host',
    serverTime: Date.now(),
    controlMode: 'everyone',
    seq,
    resumed: false,
    state: pausedFilm,
    members: [{ userId: 'host', name: 'Host', role: 'host', online: true }, { userId: 'ann', name: 'Ann', role: 'guest', online: true }],
    chat: [],
    ...extra
  }
}
