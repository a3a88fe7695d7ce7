import type { RoomSummary } from './collections.js'

/**
 * The summaries this process last wrote, with their `rev`, so a chunk does not read back what the
 * previous chunk wrote (a room lives on one partition, and one member consumes it). It is only a
 * guess: every write stays conditional on `rev`, so a summary moved by someone else (the
 * finalizer, the previous owner of a partition after a rebalance) fails the write, the room is
 * dropped from here and read again. Bounded: the oldest entries go first.
 */
export class SummaryCache {
  readonly #rooms = new Map<string, RoomSummary>()
  constructor (readonly maxRooms = 10_000) {}

  get (roomId: string): RoomSummary | undefined {
    return this.#rooms.get(roomId)
  }

  set (summary: RoomSummary): void {
    this.#rooms.delete(summary._id)
    this.#rooms.set(summary._id, summary)
    if (this.#rooms.size > this.maxRooms) this.#rooms.delete(this.#rooms.keys().next().value!)
  }

  delete (roomId: string): void {
    this.#rooms.delete(roomId)
  }

  clear (): void {
    this.#rooms.clear()
  }

  get size (): number {
    return this.#rooms.size
  }
}
