// A handler retrying in place (its store is down) must not hold its group's rebalance: the member
// gives the batch up uncommitted and rejoins, and the records come again once the store is back.
import { randomUUID } from 'node:crypto'
import type { EventEnvelope } from '@watch-together/protocol'
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createAdmin, createConsumer, createProducer, eventBatchHandler, eventRecord } from '../src/index.js'

const settings = { brokers: stack.kafkaBrokers, clientId: uniqueName('rebalance'), retries: 2 }
const quiet = { warn () {}, debug () {} }

t.test('a member retrying in place rejoins when the group rebalances, and nothing is skipped', async (t) => {
  const topic = uniqueName('rebalance_retry')
  const admin = createAdmin(settings)
  await requireServer('Kafka', stack.kafkaBrokers.join(','), () => admin.connect())
  t.teardown(async () => { await admin.deleteTopics([topic]).catch(() => {}); await admin.disconnect() })
  await admin.ensureTopics([{ topic, partitions: 2 }])
  const event: EventEnvelope = {
    v: 1,
    id: randomUUID(),
    type: 'room.closed',
    at: Date.now(),
    roomId: randomUUID(),
    userId: null,
    seq: 1,
    source: 'test',
    payload: { reason: 'host' }
  }
  const producer = createProducer(settings)
  await producer.connect()
  await producer.send(topic, [eventRecord(event)])
  await producer.disconnect()

  const groupId = uniqueName('rebalance_group')
  let storeUp = false
  const applied: string[] = []
  const handler = eventBatchHandler({
    handlers: {
      'room.closed': async (e) => {
        if (!storeUp) throw new Error('store down')
        applied.push(e.id)
      }
    },
    deadLetter: async () => { throw new Error('nothing is dead-lettered here') },
    service: 'rebalance-test',
    log: quiet,
    retry: { initialMs: 100, maxMs: 500 }
  })
  /** A member of the group running `handler`; its assignments as they come. */
  async function member () {
    const consumer = createConsumer(settings, { groupId, sessionTimeoutMs: 30_000, heartbeatIntervalMs: 500 })
    t.teardown(() => consumer.disconnect())
    const joins: Array<Record<string, number[]>> = []
    consumer.onAssignment((assignment) => { if (assignment[topic]) joins.push(assignment) })
    await consumer.connect()
    await consumer.subscribe([topic])
    await consumer.run(handler)
    return joins
  }
  const aJoins = await member()
  await waitFor('the first member retrying the record', () => aJoins.length >= 1, 60_000, 100)

  // A second member: the group rebalances, and waits for the first to rejoin.
  const bJoins = await member()
  // Before the fix the first member kept retrying, deaf to the rebalance, until the broker's rebalance
  // timeout dropped it from the group, and it never rejoined while the store was down.
  await waitFor('the first member rejoined while its store is still down', () => aJoins.length >= 2 && bJoins.length >= 1, 110_000, 100)
  t.same([...(aJoins.at(-1)![topic] ?? []), ...(bJoins.at(-1)![topic] ?? [])].sort(), [0, 1], 'the two members share the partitions')
  t.same(applied, [], 'nothing was applied (nor skipped) while the store was down')

  storeUp = true
  await waitFor('the record applied and committed', async () => {
    const offsets = await admin.groupOffsets(groupId, topic)
    return applied.length >= 1 && offsets.some((o) => o.offset === '1')
  }, 60_000, 200)
  t.same([...new Set(applied)], [event.id])
})
