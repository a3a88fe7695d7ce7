import { eventBatchHandler, eventConsumerPlugin } from '@watch-together/kafka'
import type { WatchEvent } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import * as repo from '../rooms/rooms-repository.js'
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
      await repo.markRoomEmptied(pool, event.roomId, event.at)
      break
    case 'session.connected':
      if (event.userId !== null) await repo.markMemberOnline(pool, event.roomId, event.userId)
      break
    case 'session.disconnected': {
      // A member with another socket still open (a second tab) stays online.
      if ((event.payload.userConnections ?? 0) > 0) break
      // The grace counts from when room-api learns of it: a late or replayed disconnect never hands the role away at once.
      if (event.userId !== null) await repo.markMemberOffline(pool, event.roomId, event.userId)
      break
    }
    case 'player.ended': {
      // Only the room's own film ends the room (realtime's rule too): the end of another item of
      // the room's queue, were one ever reported, leaves it open.
      if (await repo.isRoomFilm(pool, event.roomId, event.payload.itemId)) await rooms.closeBySystem(event.roomId, 'film_ended')
      break
    }
    case 'room.archived':
      // The archive worker finished a closed room; an active room is never archived.
      await repo.markArchived(pool, event.roomId)
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
