// A batch that outlives its member's session (no heartbeat) has its commit refused: the consumer
// rejoins and the batch's records are delivered again, never skipped, and nothing crashes.
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createAdmin, createConsumer, createKafkaClient, createProducer } from '../src/index.js'

const settings = { brokers: stack.kafkaBrokers, clientId: uniqueName('evicted'), retries: 2 }

t.test('a commit refused after eviction: rejoin and re-delivery, no crash', async (t) => {
  const topic = uniqueName('evicted_commit')
  const admin = createAdmin(settings)
  await requireServer('Kafka', stack.kafkaBrokers.join(','), () => admin.connect())
  t.teardown(() => admin.disconnect())
  const groups = createKafkaClient(settings).admin() // describeGroups: who the coordinator counts as members
  await groups.connect()
  t.teardown(() => groups.disconnect())
  await admin.ensureTopics([{ topic, partitions: 1 }])
  const producer = createProducer(settings)
  await producer.connect()
  await producer.send(topic, [{ key: 'k', value: Buffer.from('one') }])
  await producer.disconnect()

  const groupId = uniqueName('evicted_group')
  const consumer = createConsumer(settings, { groupId, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 })
  t.teardown(() => consumer.disconnect())
  const crashes: Error[] = []
  let joins = 0
  consumer.onCrash((err) => { crashes.push(err) })
  consumer.onAssignment((a) => { if (a[topic]) joins++ })
  const deliveries: string[] = []
  const refused: unknown[] = []
  await consumer.connect()
  await consumer.subscribe([topic])
  await consumer.run(async (batch, control) => {
    deliveries.push(batch.records[0]!.offset)
    if (deliveries.length === 1) {
      // Blocked past the session timeout without a heartbeat: the coordinator evicts the member.
      await waitFor('the member evicted', async () => {
        const [group] = (await groups.describeGroups([groupId])).groups
        return group && group.members.length === 0
      }, 60_000, 500)
      try { await control.commit(batch.records[0]!.offset) } catch (err) { refused.push(err); throw err }
      return
    }
    await control.commit(batch.records[batch.records.length - 1]!.offset)
  })
  await waitFor('the record committed after the rejoin', async () => {
    const [done] = await admin.groupOffsets(groupId, topic)
    return done?.offset === '1'
  }, 60_000, 200)
  t.equal(refused.length, 1, 'the stale commit was refused')
  t.match(refused[0], { type: /UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|REBALANCE_IN_PROGRESS/ }, 'with the group error itself, for kafkajs to rejoin')
  t.same(deliveries, ['0', '0'], 'the record came again')
  t.ok(joins >= 2, 'the consumer rejoined')
  t.same(crashes, [], 'the consumer never crashed')
})
