import { randomUUID } from 'node:crypto'
import t from 'tap'
import { EVENT_SCHEMA_VERSION, EventEnvelope, eventKey, issuesToErrors, makeEvent, parseEvent } from '../src/index.js'

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
  if (!result.success) return
  t.same(result.envelope, valid)
  t.equal(result.event?.type, 'chat.message_sent', 'a known type comes back typed')
  if (result.event?.type === 'chat.message_sent') t.equal(result.event.payload.text, 'hi', 'its payload is the schema\'s output')
})

t.test('user-scoped events: roomId null exactly for their types, keyed by user', async (t) => {
  const device = { ...valid, type: 'device.state_changed', roomId: null, userId: 'u1', payload: { message: 'on_pause', deviceId: 'd1', state: { tracks_queue: [1], queue_position: 0, on_pause: true, last_sec_position: 3, time_state_update: 5 } } }
  const parsed = parseEvent(JSON.stringify(device))
  t.ok(parsed.success && parsed.event?.type === 'device.state_changed')
  t.equal(eventKey(device), 'user:u1')
  t.equal(eventKey(valid), valid.roomId)
  t.notOk(parseEvent(JSON.stringify({ ...device, roomId: valid.roomId })).success, 'a user-scoped type with a room is refused')
  t.notOk(parseEvent(JSON.stringify({ ...valid, roomId: null })).success, 'a room type without a room is refused')
  t.notOk(parseEvent(JSON.stringify({ ...device, userId: null })).success, 'a user-scoped event needs its user')
})

t.test('makeEvent builds every producer\'s envelope', async (t) => {
  const event = makeEvent('room.closed', { roomId: valid.roomId, userId: null, source: 'room-api', payload: { reason: 'host' }, at: 5 })
  t.match(event, { type: 'room.closed', roomId: valid.roomId, userId: null, at: 5, v: EVENT_SCHEMA_VERSION, source: 'room-api', payload: { reason: 'host' } })
  t.match(event.id, /^[0-9a-f-]{36}$/)
  t.notOk('seq' in event, 'the outbox that appends it numbers it')
  const parsed = parseEvent(JSON.stringify({ ...event, seq: 1 }))
  t.ok(parsed.success && parsed.event, 'and it parses back as a known event')
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
  const future = parseEvent(JSON.stringify({ ...valid, type: 'future.thing_happened', payload: {} }))
  t.ok(future.success && future.event === null && future.envelope.type === 'future.thing_happened', 'unknown types pass, untyped')
})

t.test('validation issues become error items with field paths', async (t) => {
  const result = EventEnvelope.safeParse({ ...valid, seq: 'x', payload: 1 })
  t.notOk(result.success)
  if (result.success) return
  const errors = issuesToErrors(result.error.issues)
  t.same(errors.map((e) => e.path).sort(), ['payload', 'seq'])
  t.ok(errors.every((e) => e.code === 'VALIDATION_FAILED' && e.message.length > 0))
})
