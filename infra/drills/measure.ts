// What a drill counts in the archive: every realtime event of the drill's rooms (by seq, so a gap is a lost
// event) and every acknowledged chat message (by message id), read from the drill's own MongoDB database.
import { MongoClient } from 'mongodb'
import { sleep, stackEnv } from './services.js'

export interface ArchiveCounts {
  eventsExpected: number
  eventsArchived: number
  eventsLost: number
  chatAcked: number
  chatArchived: number
  chatLost: number
  chatDuplicated: number
  drainMs: number
}

/**
 * Waits until the archive holds every event up to each room's highest seen seq and every acknowledged
 * message (or `timeoutMs` passes), then counts. Nothing can be archived twice under one id (`_id` is the
 * event / message id); a message stored twice under two ids would show as a repeated clientMessageId.
 */
export async function countArchive (db: string, maxSeqs: Map<string, number>, ackedIds: string[], timeoutMs = 120_000): Promise<ArchiveCounts> {
  const client = new MongoClient(stackEnv.mongoUrl, { serverSelectionTimeoutMS: 5000 })
  const started = Date.now()
  try {
    await client.connect()
    const events = client.db(db).collection('events')
    const chat = client.db(db).collection<{ _id: string, clientMessageId: string }>('chat_messages')
    const roomIds = [...maxSeqs.keys()]
    let result: ArchiveCounts | undefined
    for (;;) {
      const seqs = await events.find({ roomId: { $in: roomIds }, source: 'realtime' }, { projection: { roomId: 1, seq: 1 } }).toArray()
      const byRoom = new Map<string, Set<number>>()
      for (const e of seqs) {
        const set = byRoom.get(e.roomId) ?? new Set<number>()
        set.add(e.seq)
        byRoom.set(e.roomId, set)
      }
      let expected = 0
      let archived = 0
      for (const [room, seen] of maxSeqs) {
        const got = byRoom.get(room) ?? new Set()
        const top = Math.max(seen, ...got)
        expected += top
        for (let s = 1; s <= top; s++) if (got.has(s)) archived++
      }
      const docs = await chat.find({ roomId: { $in: roomIds } }, { projection: { clientMessageId: 1 } }).toArray()
      const ids = new Set(docs.map((d) => d._id))
      const perClientId = new Map<string, number>()
      for (const d of docs) perClientId.set(d.clientMessageId, (perClientId.get(d.clientMessageId) ?? 0) + 1)
      const chatLost = ackedIds.filter((id) => !ids.has(id)).length
      result = {
        eventsExpected: expected,
        eventsArchived: archived,
        eventsLost: expected - archived,
        chatAcked: ackedIds.length,
        chatArchived: docs.length,
        chatLost,
        chatDuplicated: [...perClientId.values()].reduce((n, c) => n + c - 1, 0),
        drainMs: Date.now() - started
      }
      if ((result.eventsLost === 0 && chatLost === 0) || Date.now() - started > timeoutMs) return result
      await sleep(1000)
    }
  } finally {
    await client.close().catch(() => {})
  }
}
