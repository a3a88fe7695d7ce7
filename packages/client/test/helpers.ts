// The real realtime service in-process (its own test helpers: port 0, own Redis prefix and topic).
import { randomUUID } from 'node:crypto'
import { WebSocket } from 'ws'
import { startApp, testConfig, ticket, type Who } from '../../../services/realtime/test/helpers.js'
import { RoomClient, type RoomClientOptions, type WebSocketConstructor } from '../src/index.js'

interface Teardown { teardown (fn: () => unknown): void }

export { startApp, testConfig, ticket }

export async function startRealtime (t: Teardown) {
  return await startApp(t, testConfig())
}

/** An SDK client on Node 20 (ws injected), closed in teardown. */
export function roomClient (t: Teardown, base: string, roomId: string, who: Who = {}, extra: Partial<RoomClientOptions> = {}) {
  const userId = who.userId ?? `user-${randomUUID().slice(0, 8)}`
  const client = new RoomClient({
    url: base,
    roomId,
    ticket: () => ticket(roomId, { ...who, userId }),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    ...extra
  })
  t.teardown(() => client.close())
  return client
}

/** Resolves with the next event of that name (and its arguments). */
export function nextEvent<A extends unknown[]> (on: (listener: (...args: A) => void) => () => void, match: (...args: A) => boolean = () => true) {
  return new Promise<A>((resolve) => {
    const off = on((...args) => { if (match(...args)) { off(); resolve(args) } })
  })
}
