// MongoDB down when the worker starts: it starts anyway, reports not ready, consumes nothing, and
// once MongoDB answers it joins the group and archives everything produced meanwhile, once.
import { createAdmin } from '@watch-together/kafka'
import { stack, stackCommand, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { openArchive, openProducer, prepare, produceEvents, roomScript, startWorker, testNames, waitCommitted } from '../helpers/harness.js'

t.test('the worker starts without MongoDB and archives everything once it is back', async (t) => {
  const names = testNames('mongo_down_start')
  await prepare(names)
  t.teardown(() => stackCommand('up', 'mongo'))
  await stackCommand('down', 'mongo')

  const worker = await startWorker(names, { ETL_FINALIZE_INTERVAL_MS: '3600000' })
  t.teardown(() => worker.close())
  const ready = await worker.inject('/readyz')
  t.equal(ready.statusCode, 503, 'not ready while MongoDB is down')
  t.not(ready.json().checks.mongo, 'ok', 'the mongo check names the problem')

  const producer = await openProducer()
  t.teardown(() => producer.disconnect())
  const rooms = Array.from({ length: 3 }, () => roomScript(Date.now()))
  for (const room of rooms) {
    room.step('room.created', 'u1', { filmId: 'film-1', ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' }, 0, 'room-api')
    for (let i = 1; i <= 20; i++) room.step('chat.message_sent', 'u1', { messageId: `${room.roomId}-m${i}`, clientMessageId: `c${i}`, name: 'Host', text: `m${i}`, positionMs: i }, i)
  }
  await produceEvents(producer, names.topic, rooms.flatMap((r) => r.events))

  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'etl-test' })
  await admin.connect()
  t.teardown(() => admin.disconnect())
  t.ok((await admin.groupOffsets(names.groupId, names.topic)).every((p) => p.offset === '-1'), 'nothing consumed or committed while MongoDB is down')
  // MongoDB back before the first connection attempt gives up (its 5 s server selection) would
  // spare the worker the path that used to fail: the driver closes the topology of a failed
  // connect and leaves it on the client ("Topology is closed" for good). Wait for one to fail.
  await waitFor('a connection attempt to fail while MongoDB is down', async () => /last attempt/.test((await worker.inject('/readyz')).json().checks.mongo), 60_000, 200)
  t.pass('a connection attempt failed while MongoDB was down')

  await stackCommand('up', 'mongo')
  await waitCommitted(names, names.groupId, 90_000)
  t.equal((await worker.inject('/readyz')).statusCode, 200, 'ready once MongoDB answers')

  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  t.equal(await archive.events.countDocuments(), 63, 'every event archived once')
  t.equal(await archive.chatMessages.countDocuments(), 60, 'every chat message archived once')
  for (const room of rooms) {
    const summary = await archive.roomSummaries.findOne({ _id: room.roomId })
    t.match(summary, { eventsApplied: 21, messages: 20 }, `room ${room.roomId.slice(0, 8)} counted once`)
  }
  t.equal((await archive.events.listIndexes().toArray()).length, 4, 'indexes created once MongoDB answered')
})
