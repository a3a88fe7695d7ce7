import type { Test } from 'tap'
import type { openArchive } from './harness.js'
import type { steadyStream } from './stream.js'

/** The archive holds exactly the produced events, and each summary counted each one once. */
export async function assertExactArchive (t: Test, archive: Awaited<ReturnType<typeof openArchive>>, stream: ReturnType<typeof steadyStream>) {
  const ids = new Set(stream.produced.map((e) => e.id))
  const stored = await archive.events.find({}, { projection: { _id: 1 } }).toArray()
  t.equal(stored.length, stream.produced.length, 'as many archived events as produced')
  t.equal(stored.filter((d) => ids.has(d._id)).length, ids.size, 'every produced event archived')
  let messages = 0
  for (const room of stream.rooms) {
    const summary = await archive.roomSummaries.findOne({ _id: room.id })
    t.equal(summary?.eventsApplied, room.events, `room ${room.id.slice(0, 8)}: every event counted once`)
    t.equal(summary?.messages, room.messages, `room ${room.id.slice(0, 8)}: messages counted once`)
    messages += room.messages
  }
  t.equal(await archive.chatMessages.countDocuments(), messages, 'each chat message archived once')
}
