import { eventBatchHandler, eventConsumerPlugin } from '@watch-together/kafka'
import { CLOSE_CODES, type WatchEvent } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import { END_CLOSE_CODES, END_REASONS } from '../rooms/membership.js'
import { publishToUser } from '../routes/user-socket.js'

/**
 * Applies one room-api lifecycle event to live rooms. Idempotent (events may be delivered
 * again): each side effect checks the state it changes, and instance-wide effects (closing
 * sockets) go to every instance over the Redis control channel.
 */
async function applyLifecycleEvent (app: FastifyInstance, config: Config, event: WatchEvent) {
  const { roomStore: store, roomHub: hub } = app
  if (event.roomId === null) return await applyUserEvent(app, config, event)
  const roomId = event.roomId
  const now = Date.now()
  switch (event.type) {
    case 'room.created': {
      const { filmId, controlMode } = event.payload
      // The server owns the queue: the room's film is queued whoever connects first (or if nobody does yet).
      await store.seedRoom(roomId, filmId, controlMode)
      return
    }
    case 'room.closed': {
      if (await store.markClosed(roomId)) await store.emit(roomId, { frame: { type: 'room.closed', at: now, reason: event.payload.reason } })
      await hub.publishControl({ kind: 'close_room', roomId, code: CLOSE_CODES.roomClosed, reason: 'room closed' })
      return
    }
    case 'member.joined': {
      if (!event.userId) return
      await store.recordJoined(roomId, event.userId, event.seq)
      return
    }
    case 'member.left': {
      if (!event.userId) return
      const userId = event.userId
      const { reason, actorId, name } = event.payload
      // A redelivered leave (already stored) kicks again, harmlessly; one overtaken by a rejoin does not kick at all.
      const recorded = await store.recordLeft(roomId, userId, event.seq, reason)
      if (recorded === 'stale') return
      if (recorded === 'applied') {
        const actor = actorId ? { userId: actorId, name: (await store.memberName(roomId, actorId)) ?? '' } : null
        await store.emit(roomId, { frame: { type: 'member.left', at: now, userId, name, reason, actor } })
      }
      // Published again on a replay: closing what is already closed changes nothing.
      await hub.publishControl({ kind: 'kick', roomId, userId, code: END_CLOSE_CODES[reason], reason: END_REASONS[reason], endedAt: event.seq })
      return
    }
    case 'room.control_mode_changed': {
      const { controlMode } = event.payload
      // The seq guards a replay: an older change never undoes a newer one, nor is announced again.
      if (await store.setControlMode(roomId, controlMode, event.seq)) {
        await store.emit(roomId, { frame: { type: 'room.control_mode_changed', at: now, controlMode } })
      }
      return
    }
    case 'host.changed': {
      const { fromUserId, toUserId, reason } = event.payload
      // The seq guards a replay: an older hand-over never overwrites a newer one.
      if (!await store.setHost(roomId, fromUserId, toUserId, event.seq)) return
      await store.emit(roomId, {
        frame: { type: 'host.changed', at: now, fromUserId, toUserId, reason: reason ?? 'transfer' }
      })
      return
    }
    case 'member.mute_changed': {
      if (!event.userId) return
      const { muted, actorId } = event.payload
      // Per member, the seq of the last mute change applied: a replay never re-mutes or re-announces.
      if (!await store.setMuted(roomId, event.userId, muted, event.seq)) return
      const actor = { userId: actorId, name: (await store.memberName(roomId, actorId)) ?? '' }
      await store.emit(roomId, { frame: { type: 'member.mute_changed', at: now, userId: event.userId, muted, actor } })
      return
    }
    case 'room.archived':
      // The archive holds the room now; its live state goes (the seq stays, so numbers never repeat).
      await store.deleteLive(roomId)
  }
}

const USER_PUSH_MAX_AGE_MS = 10 * 60_000

/** User-scoped events that concern one person reach their own channel (/users/ws), on every instance. */
async function applyUserEvent (app: FastifyInstance, config: Config, event: WatchEvent) {
  const to = event.userId
  // A live push: an old event (a new consumer group replaying the topic) is news to nobody.
  if (!to || Date.now() - event.at > USER_PUSH_MAX_AGE_MS) return
  switch (event.type) {
    case 'room.invited': {
      const p = event.payload
      await publishToUser(app, config, to, {
        type: 'invitation.received',
        at: event.at,
        roomId: p.roomId,
        inviteCode: p.inviteCode,
        roomName: p.roomName,
        film: { id: p.filmId, title: p.filmTitle },
        from: { userId: p.fromUserId, name: p.fromName }
      })
      return
    }
    case 'friend.request_sent':
    case 'friend.request_cancelled':
    case 'friend.request_accepted':
    case 'friend.request_declined':
    case 'friend.removed':
      await publishToUser(app, config, to, { type: 'friends.changed', at: event.at, change: event.type, otherUserId: event.payload.otherUserId, actorId: event.payload.actorId })
  }
}

/**
 * Consumes room-api's lifecycle events from the shared topic (one group for all instances); the
 * shared consumer plugin starts it with backoff while Kafka is away, restarts it if kafkajs gives
 * up, retries a failing effect in place (Redis away) and commits only what was applied.
 */
export function lifecyclePlugin (config: Config) {
  const apply = (app: FastifyInstance) => async (event: WatchEvent) => { await applyLifecycleEvent(app, config, event) }
  return eventConsumerPlugin({
    name: 'realtime-lifecycle',
    topic: config.KAFKA_TOPIC,
    groupId: config.KAFKA_GROUP_ID,
    dependencies: ['room-store', 'room-hub'],
    handler: (app) => {
      const on = apply(app)
      return eventBatchHandler({
        // Everything else on the topic (realtime's own events, chat, player) is not ours to act on.
        handlers: {
          'room.created': on,
          'room.closed': on,
          'member.joined': on,
          'member.left': on,
          'member.mute_changed': on,
          'room.control_mode_changed': on,
          'host.changed': on,
          'room.archived': on,
          'room.invited': on,
          'friend.request_sent': on,
          'friend.request_cancelled': on,
          'friend.request_accepted': on,
          'friend.request_declined': on,
          'friend.removed': on
        },
        deadLetter: async (record) => { await app.kafka.producer.send(config.KAFKA_DLQ_TOPIC, [record]) },
        // Most of the topic is realtime's own events (skipped by their event-type header, undecoded):
        // a batch of those alone is committed at most every few seconds, not once per fetch.
        idleCommitMs: 5000,
        service: 'realtime',
        log: app.log,
        report: app.reportError
      })
    }
  })
}
