// Two workers in one group, both running the finalizer often: each room is finalized by the one
// member consuming its partition, so exactly one room.archived is published per room.
import { createAdmin } from '@watch-together/kafka'
import { stack, waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { emptySummary } from '../src/archive/summary-reducer.js'
import { finalizeDueRooms } from '../src/finalizer/room-finalizer.js'
import { openArchive, openProducer, prepare, produceEvents, roomScript, startWorker, testNames, waitCommitted } from './helpers/harness.js'

t.test('one room.archived per room with two workers in the group', async (t) => {
  const names = testNames('finalizer_owner')
  await prepare(names, 4)
  const archive = await openArchive(names)
  const producer = await openProducer()
  const admin = createAdmin({ brokers: stack.kafkaBrokers, clientId: 'etl-test' })
  await admin.connect()
  t.teardown(async () => { await producer.disconnect(); await admin.disconnect(); await archive.close() })
  const env = { ETL_FINALIZE_INTERVAL_MS: '100', ETL_ROOM_IDLE_MS: '3600000' }
  const workers = [await startWorker(names, env), await startWorker(names, env)]
  t.teardown(() => Promise.all(workers.map((w) => w.close())))
  await waitFor('both workers to hold partitions, four in all', () => {
    const [a, b] = workers.map((w) => [...w.archive.assignment])
    return a!.length > 0 && b!.length > 0 && new Set([...a!, ...b!]).size === 4 && a!.length + b!.length === 4
  }, 60_000, 100)

  const rooms = Array.from({ length: 12 }, () => roomScript(Date.now() - 60_000))
  for (const room of rooms) {
    room.step('room.created', 'u1', { filmId: 'film-1', ownerId: 'u1', ownerName: 'Host', controlMode: 'everyone' }, 0, 'room-api')
    room.step('member.joined', 'u1', { name: 'Host', role: 'host' }, 1, 'room-api')
    room.step('room.closed', 'u1', { reason: 'host' }, 2, 'room-api')
  }
  const produced = rooms.length * 3
  await produceEvents(producer, names.topic, rooms.flatMap((r) => r.events))

  await waitFor('every room finalized and its room.archived archived', async () => {
    const done = await archive.roomSummaries.countDocuments({ finalizedAt: { $ne: null }, archivedAt: { $ne: null } })
    return done === rooms.length
  }, 60_000, 200)
  await waitCommitted(names)
  const records = (await admin.topicOffsets(names.topic)).reduce((n, p) => n + Number(p.high), 0)
  t.equal(records - produced, rooms.length, 'one room.archived published per room, none twice')
  const byWorker = await Promise.all(workers.map(async (w) => (await w.archive.metrics.roomsArchived.get()).values[0]?.value ?? 0))
  t.equal(byWorker[0]! + byWorker[1]!, rooms.length, `finalized ${byWorker.join(' + ')} by the two workers`)
  t.ok(byWorker.every((n) => n > 0), 'both workers finalized their own rooms')
})

t.test('a pass finalizes only its own rooms, claims before announcing, and announces again what never came back', async (t) => {
  const names = testNames('finalizer_pass')
  await prepare(names)
  const archive = await openArchive(names)
  t.teardown(() => archive.close())
  const now = Date.now()
  const closed = (id: string) => ({ ...emptySummary(id, now - 1000), closedAt: new Date(now - 500), closeReason: 'host', applied: { 'room-api': 3 } })
  await archive.roomSummaries.insertMany([
    closed('ours-closed'),
    closed('theirs-closed'),
    { ...closed('ours-unannounced'), finalizedAt: new Date(now - 120_000), finalReason: 'closed' },
    { ...closed('ours-announced'), finalizedAt: new Date(now - 120_000), finalReason: 'closed', archivedAt: new Date(now - 119_000) }
  ])
  const published: string[] = []
  const deps = {
    collections: archive,
    owns: (id: string) => id.startsWith('ours'),
    publish: async (event: { roomId: string | null }) => { published.push(String(event.roomId)) },
    idleMs: 3600_000,
    announceRetryMs: 60_000
  }
  t.same(await finalizeDueRooms(deps, now), ['ours-closed'], 'only its own due room finalized')
  t.same(published.sort(), ['ours-closed', 'ours-unannounced'], 'announced: the new one, and the one whose announcement never came back')
  t.equal((await archive.roomSummaries.findOne({ _id: 'theirs-closed' }))?.finalizedAt, null, "another instance's room left alone")
  published.length = 0
  t.same(await finalizeDueRooms(deps, now + 1000), [], 'nothing left to finalize')
  t.same(published, ['ours-unannounced'], 'still unannounced (its room.archived is not consumed here): announced again, same id')
})
