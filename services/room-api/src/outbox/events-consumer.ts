import { type Consumer, createConsumer, eventBatchHandler, type KafkaSettings, type Producer } from '@watch-together/kafka'
import type { WatchEvent } from '@watch-together/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import type { RoomsService } from '../rooms/rooms-service.js'

export interface ConsumerDeps {
  settings: KafkaSettings
  groupId: string
  topic: string
  /** Poison records are copied here (with the reason) before their offset is committed. */
  deadLetter: { producer: Producer, topic: string }
  pool: pg.Pool
  rooms: RoomsService
  log: FastifyBaseLogger
}

/**
 * Applies one event from `watch_together` that room-api cares about. Every handler is
 * idempotent (state-guarded updates), so a redelivery after a crash changes nothing.
 */
export async function applyEvent (deps: Pick<ConsumerDeps, 'pool' | 'rooms'>, event: WatchEvent): Promise<void> {
  const { pool, rooms } = deps
  // User-scoped events (the device protocol) concern no room.
  if (event.roomId === null) return
  switch (event.type) {
    case 'room.emptied':
      // Realtime saw the last connection go; the sweeper closes the room after the grace period.
      await pool.query(`UPDATE rooms SET emptied_at = COALESCE(emptied_at, to_timestamp($2::double precision / 1000))
        WHERE id = $1 AND status = 'active'`, [event.roomId, event.at])
      break
    case 'session.connected':
      await pool.query(`WITH m AS (UPDATE room_members SET online = true, offline_since = NULL WHERE room_id = $1 AND user_id = $2)
        UPDATE rooms SET emptied_at = NULL WHERE id = $1 AND status = 'active'`, [event.roomId, event.userId])
      break
    case 'session.disconnected': {
      // A member with another socket still open (a second tab) stays online.
      if ((event.payload.userConnections ?? 0) > 0) break
      await pool.query(`UPDATE room_members SET online = false, offline_since = to_timestamp($3::double precision / 1000)
        WHERE room_id = $1 AND user_id = $2 AND online`, [event.roomId, event.userId, event.at])
      break
    }
    case 'player.ended': {
      // Only the room's own film ends the room (realtime's rule too): the end of another item of
      // the room's queue, were one ever reported, leaves it open.
      const { rowCount } = await pool.query('SELECT 1 FROM rooms WHERE id = $1 AND film_id = $2', [event.roomId, event.payload.itemId])
      if (rowCount) await rooms.closeBySystem(event.roomId, 'film_ended')
      break
    }
    case 'room.archived':
      // The archive worker finished a closed room; an active room is never archived.
      await pool.query(`UPDATE rooms SET status = 'archived', archived_at = now()
        WHERE id = $1 AND status = 'closed'`, [event.roomId])
      break
    default:
      // Everything else on the topic (our own events, chat, player commands) is not ours to act on.
  }
}

/**
 * The consumer: one batch per partition, applied in order, committed only after the
 * database writes succeeded (a failure re-delivers the batch). Poison records go to the
 * dead-letter topic so they cannot block a partition.
 */
export async function startEventsConsumer (deps: ConsumerDeps): Promise<Consumer> {
  const consumer = createConsumer(deps.settings, { groupId: deps.groupId })
  consumer.onCrash((err) => deps.log.error({ err }, 'room-api events consumer stopped'))
  await consumer.connect()
  await consumer.subscribe([deps.topic], { fromBeginning: true })
  await consumer.run(eventBatchHandler({
    onEvent: (event) => applyEvent(deps, event),
    async onInvalid (record, err) {
      deps.log.warn({ err, partition: record.partition, offset: record.offset }, 'dead-lettering a malformed event')
      await deps.deadLetter.producer.send(deps.deadLetter.topic, [{
        key: record.key ?? '',
        value: record.value ?? '',
        headers: { ...record.headers, 'dlq-reason': err.message.slice(0, 1000), 'dlq-source': `${record.topic}/${record.partition}/${record.offset}`, 'dlq-consumer': deps.groupId }
      }])
    }
  }))
  return consumer
}

/** Closes active rooms that have been empty for longer than the grace period. */
export function startEmptyRoomSweeper (deps: Pick<ConsumerDeps, 'pool' | 'rooms' | 'log'>, graceMs: number, intervalMs: number) {
  let running: Promise<void> | undefined
  const sweep = async () => {
    const { rows } = await deps.pool.query<{ id: string }>(`SELECT id FROM rooms
      WHERE status = 'active' AND emptied_at IS NOT NULL AND emptied_at <= now() - make_interval(secs => $1::double precision / 1000)
      ORDER BY emptied_at LIMIT 100`, [graceMs])
    for (const row of rows) await deps.rooms.closeBySystem(row.id, 'empty')
  }
  const timer = setInterval(() => {
    if (running) return
    running = sweep().catch((err) => deps.log.warn({ err }, 'empty-room sweep failed')).finally(() => { running = undefined })
  }, intervalMs)
  return {
    async stop () { clearInterval(timer); await running }
  }
}

/**
 * Hands the host role on when a host has been offline for the grace period and someone else is
 * online (rooms-service handOverAbsentHost re-checks under the room's lock). A host who vanishes
 * never strands a room: the room keeps a host who can pause and seek.
 */
export function startHostSweeper (deps: Pick<ConsumerDeps, 'pool' | 'rooms' | 'log'>, graceMs: number, intervalMs: number) {
  let running: Promise<void> | undefined
  const sweep = async () => {
    const { rows } = await deps.pool.query<{ room_id: string }>(`SELECT h.room_id FROM room_members h
      WHERE h.role = 'host' AND h.left_at IS NULL AND NOT h.online
        AND h.offline_since <= now() - make_interval(secs => $1::double precision / 1000)
        AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = h.room_id AND m.left_at IS NULL AND m.online AND m.user_id <> h.user_id)
      ORDER BY h.offline_since LIMIT 100`, [graceMs])
    for (const row of rows) await deps.rooms.handOverAbsentHost(row.room_id, graceMs)
  }
  const timer = setInterval(() => {
    if (running) return
    running = sweep().catch((err) => deps.log.warn({ err }, 'host hand-over sweep failed')).finally(() => { running = undefined })
  }, intervalMs)
  return {
    async stop () { clearInterval(timer); await running }
  }
}
