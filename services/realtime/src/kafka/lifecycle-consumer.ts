import { createConsumer, eventBatchHandler } from '@watch-together/kafka'
import { CLOSE_CODES, EVENT_PAYLOADS, type EventEnvelope } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { globalKeys, roomKeys } from '../rooms/keys.js'

/**
 * Applies one room-api lifecycle event to live rooms. Idempotent (events may be delivered
 * again): each side effect checks the state it changes, and instance-wide effects (closing
 * sockets) go to every instance over the Redis control channel.
 */
async function applyLifecycleEvent (app: FastifyInstance, event: EventEnvelope) {
  const { redis, roomLog, hub, config } = app.realtime
  const keys = roomKeys(config.REDIS_PREFIX, event.roomId)
  const now = Date.now()
  // Every meta write expires like the rest of the room, so replaying old events (a new consumer group
  // starts from the beginning) cannot pile up keys for rooms long gone.
  const expireMeta = () => redis.expire(keys.meta, config.ROOM_TTL_SECONDS)
  switch (event.type) {
    case 'room.created': {
      const payload = EVENT_PAYLOADS['room.created'].safeParse(event.payload)
      if (payload.success) await redis.hSet(keys.meta, { filmId: payload.data.filmId, controlMode: payload.data.controlMode })
      await expireMeta()
      return
    }
    case 'room.closed': {
      const reason = EVENT_PAYLOADS['room.closed'].safeParse(event.payload)
      const newlyClosed = await redis.hSetNX(keys.meta, 'closed', '1')
      await expireMeta()
      if (newlyClosed) {
        await roomLog.emit(event.roomId, { frame: { type: 'room.closed', at: now, reason: reason.success ? reason.data.reason : 'closed' } })
      }
      await hub.publishControl({ kind: 'close_room', roomId: event.roomId, code: CLOSE_CODES.roomClosed, reason: 'room closed' })
      return
    }
    case 'member.left': {
      const payload = EVENT_PAYLOADS['member.left'].safeParse(event.payload)
      if (!payload.success || payload.data.reason !== 'removed' || !event.userId) return
      await redis.multi().sAdd(keys.removed, event.userId).expire(keys.removed, config.ROOM_TTL_SECONDS).exec()
      await hub.publishControl({ kind: 'kick', roomId: event.roomId, userId: event.userId, code: CLOSE_CODES.memberRemoved, reason: 'removed from the room' })
      return
    }
    case 'room.control_mode_changed': {
      const payload = EVENT_PAYLOADS['room.control_mode_changed'].safeParse(event.payload)
      if (!payload.success) return
      const previous = await redis.hGet(keys.meta, 'controlMode')
      if (previous === payload.data.controlMode) return
      await redis.hSet(keys.meta, 'controlMode', payload.data.controlMode)
      await expireMeta()
      await roomLog.emit(event.roomId, { frame: { type: 'room.control_mode_changed', at: now, controlMode: payload.data.controlMode } })
      return
    }
    case 'host.changed': {
      const payload = EVENT_PAYLOADS['host.changed'].safeParse(event.payload)
      if (payload.success) await redis.hSet(keys.meta, 'hostId', payload.data.toUserId)
      await expireMeta()
      return
    }
    case 'room.archived':
      // The archive holds the room now; its live state goes (the seq stays, so numbers never repeat).
      await redis.del([keys.state, keys.meta, keys.events, keys.members, keys.conns, keys.chat, keys.chatRecent, keys.reactions, keys.chatClientIds, keys.removed])
      await redis.sRem(globalKeys(config.REDIS_PREFIX).activeRooms, event.roomId)
  }
}

/** Consumes room-api's lifecycle events from the shared topic; offsets are committed after the effects. */
async function lifecycle (app: FastifyInstance, opts: { config: Config }) {
  const consumer = createConsumer(app.kafka.settings, { groupId: opts.config.KAFKA_GROUP_ID })
  let stopped = false
  consumer.onCrash((err) => app.log.error({ err }, 'lifecycle consumer stopped'))

  // Most records on the shared topic are realtime's own: they are skipped, and the batch's
  // position committed once at its end (or where it stopped early).
  const handle = eventBatchHandler({
    async onEvent (event) {
      if (event.source !== 'realtime') await applyLifecycleEvent(app, event)
    },
    onInvalid (record, err) {
      app.log.warn({ offset: record.offset, err }, 'skipping an unreadable event')
    }
  })

  app.addHook('onReady', async () => {
    // Kafka may be down at start: the consumer joins once the plugin has connected.
    app.kafka.connected.then(async () => {
      if (stopped) return
      await consumer.connect()
      await consumer.subscribe([opts.config.KAFKA_TOPIC])
      await consumer.run(handle)
    }).catch((err: Error) => { if (!stopped) app.log.error({ err }, 'lifecycle consumer failed to start') })
  })
  app.addHook('onClose', async () => {
    stopped = true
    await consumer.disconnect().catch(() => {})
  })
}

export const lifecyclePlugin = fp(lifecycle, { name: 'realtime-lifecycle', dependencies: ['realtime', 'watch-together-kafka'] })
