// A steady stream of events over a few rooms, produced in the background until stopped; it keeps
// what it produced so a test can check the archive holds exactly that.
import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '@watch-together/protocol'
import { openProducer, playerState, produceEvents } from './harness.js'

export function steadyStream (topic: string, opts: { rooms: number, perTick: number, tickMs: number }) {
  const rooms = Array.from({ length: opts.rooms }, () => ({ id: randomUUID(), seq: 0, messages: 0, events: 0 }))
  const produced: EventEnvelope[] = []
  let made = 0
  const state = { running: true }
  let failure: Error | undefined

  function next (): EventEnvelope {
    const room = rooms[made++ % rooms.length]!
    const seq = ++room.seq
    const at = Date.now()
    room.events++
    const base = { id: randomUUID(), roomId: room.id, userId: `u${seq % 3}`, at, seq, v: 1, source: 'test' as const }
    if (seq === 1) return { ...base, type: 'room.created', payload: { filmId: `film-${rooms.indexOf(room) % 2}`, ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' } }
    if (seq % 3 === 0) {
      return { ...base, type: 'player.command_applied', payload: { command: seq % 2 ? 'play' : 'pause', version: seq, state: playerState(seq % 2 === 1, seq * 1000, at, seq) } }
    }
    room.messages++
    return { ...base, type: 'chat.message_sent', payload: { messageId: randomUUID(), clientMessageId: `c${seq}`, name: 'U', text: `message ${seq}`, positionMs: seq } }
  }

  const done = (async () => {
    const producer = await openProducer()
    try {
      while (state.running) {
        const events = Array.from({ length: opts.perTick }, next)
        await produceEvents(producer, topic, events)
        produced.push(...events)
        await new Promise((resolve) => setTimeout(resolve, opts.tickMs))
      }
    } catch (err) {
      failure = err as Error
    } finally {
      await producer.disconnect()
    }
  })()

  return {
    rooms,
    produced,
    failure: () => failure,
    async stop () {
      state.running = false
      await done
      if (failure) throw failure
    }
  }
}
