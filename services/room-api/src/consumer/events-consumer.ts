import { eventBatchHandler, eventConsumerPlugin } from '@watch-together/kafka'
import type { WatchEvent } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import type { RoomsService } from '../rooms/rooms-service.js'

export interface ConsumerDeps {
  pool: pg.Pool
  rooms: RoomsService
}

/**
 * Applies one event from `watch_together` that room-api cares about. Every handler is
 * idempotent (state-guarded updates), so a redelivery after a crash changes nothing.
 */
export async function applyEvent (deps: ConsumerDeps, event: WatchEvent): Promise<void> {
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
      // The grace counts from when room-api learns of it: a late or replayed disconnect never hands the role away at once.
      await pool.query(`UPDATE room_members SET online = false, offline_since = now()
        WHERE room_id = $1 AND user_id = $2 AND online`, [event.roomId, event.userId])
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

/** The types applyEvent acts on; everything else on the topic (our own events, chat, player commands) is skipped. */
const CONSUMED = ['room.emptied', 'session.connected', 'session.disconnected', 'player.ended', 'room.archived'] as const

export interface EventsConsumerOptions {
  topic: string
  groupId: string
  /** Poison records are copied here (the shared dead-letter format) before their offset is committed. */
  dlqTopic: string
  rooms: RoomsService
}

/**
 * room-api's consumer of `watch_together` (the shared plugin: starts with backoff while Kafka is
 * away, restarts when kafkajs gives up, commits after the database writes; a failing write is
 * retried in place, a malformed record dead-lettered). Registered after postgres, closed before it.
 */
export function eventsConsumerPlugin (opts: EventsConsumerOptions) {
  return eventConsumerPlugin({
    name: 'room-api-events-consumer',
    topic: opts.topic,
    groupId: opts.groupId,
    dependencies: ['postgres'],
    handler: (app: FastifyInstance) => {
      const on = (event: WatchEvent) => applyEvent({ pool: app.pg, rooms: opts.rooms }, event)
      return eventBatchHandler({
        handlers: Object.fromEntries(CONSUMED.map((type) => [type, on])),
        deadLetter: async (record) => { await app.kafka.producer.send(opts.dlqTopic, [record]) },
        service: 'room-api',
        log: app.log,
        report: app.reportError
      })
    }
  })
}
