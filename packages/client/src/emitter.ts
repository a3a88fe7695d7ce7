/** A tiny typed event emitter (no Node `events`, so the SDK runs in browsers without a shim). */
export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private listeners = new Map<keyof Events, Set<(...args: any[]) => void>>()

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events> (event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, set = new Set())
    set.add(listener)
    return () => this.off(event, listener)
  }

  once<K extends keyof Events> (event: K, listener: Events[K]): () => void {
    const off = this.on(event, ((...args: any[]) => { off(); listener(...args) }) as Events[K])
    return off
  }

  off<K extends keyof Events> (event: K, listener: Events[K]): void {
    this.listeners.get(event)?.delete(listener)
  }

  protected emit<K extends keyof Events> (event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of [...this.listeners.get(event) ?? []]) {
      // A throwing listener must not break the connection's frame handling.
      try { listener(...args) } catch (err) { queueMicrotask(() => { throw err }) }
    }
  }
}
