import { randomUUID } from 'node:crypto'
import t from 'tap'
import { EventEnvelope, issuesToErrors, parseEvent } from '../src/index.js'

const valid = {
  id: randomUUID(),
  type: 'chat.message_sent',
  roomId: randomUUID(),
  userId: 'u1',
  at: 1_700_000_000_000,
  seq: 3,
  v: 1,
  source: 'realtime',
  payload: { messageId: 'm1', clientMessageId: 'c1', name: 'Ann', text: 'hi', positionMs: 1200 }
}

t.test('a valid envelope parses from bytes', async (t) => {
  const result = parseEvent(Buffer.from(JSON.stringify(valid)))
  t.ok(result.success)
  if (result.success) t.same(result.data, valid)
})

t.test('poison records are reported, never thrown', async (t) => {
  t.notOk(parseEvent(null).success, 'no value')
  const notJson = parseEvent('{"id": ')
  t.notOk(notJson.success)
  if (!notJson.success) t.match(notJson.error.message, /not JSON/)
  t.notOk(parseEvent(JSON.stringify({ ...valid, roomId: 'room-1' })).success, 'room id must be a uuid')
  t.notOk(parseEvent(JSON.stringify({ ...valid, type: 'ChatMessage' })).success, 'type is area.past_tense_verb')
  t.notOk(parseEvent(JSON.stringify({ ...valid, at: -1 })).success, 'server time is non-negative')
  const badPayload = parseEvent(JSON.stringify({ ...valid, payload: { text: 'no ids' } }))
  t.notOk(badPayload.success, 'a known type with a bad payload is refused')
  if (!badPayload.success) t.match(badPayload.error.message, /bad chat.message_sent payload/)
  t.ok(parseEvent(JSON.stringify({ ...valid, type: 'future.thing_happened', payload: {} })).success, 'unknown types pass')
})

t.test('validation issues become error items with field paths', async (t) => {
  const result = EventEnvelope.safeParse({ ...valid, seq: 'x', payload: 1 })
  t.notOk(result.success)
  if (result.success) return
  const errors = issuesToErrors(result.error.issues)
  t.same(errors.map((e) => e.path).sort(), ['payload', 'seq'])
  t.ok(errors.every((e) => e.code === 'VALIDATION_FAILED' && e.message.length > 0))
})
