/**
 * The part of the WebSocket API the SDK uses: the browser's global WebSocket and the `ws`
 * package's both fit, and so does a test double or a simulated network link.
 */
export interface WebSocketLike {
  readonly readyState: number
  send (data: string): void
  close (code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number, reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export const OPEN = 1

/**
 * The constructor to use: the injected one, else the global (browsers, Node ≥ 22, Deno, Bun).
 * Node 20 has no global WebSocket: pass `WebSocket` from the `ws` package.
 */
export function resolveWebSocket (injected?: WebSocketConstructor): WebSocketConstructor {
  if (injected) return injected
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!global) throw new Error('no global WebSocket here (Node 20): pass options.WebSocket, e.g. from the "ws" package')
  return global
}

/** Text of a message event, whatever the implementation hands over (string, Buffer, ArrayBuffer). */
export function messageText (data: unknown): string | null {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data)
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data as Uint8Array)
  return null
}
