import { eventRecord, partitionCounter, partitionFor } from '@watch-together/kafka'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { finalizeDueRooms } from '../finalizer/room-finalizer.js'

export interface FinalizerPluginOptions {
  topic: string
  idleMs: number
  intervalMs: number
}

/**
 * Runs the room finalizer every `intervalMs` (never two passes at once) while the app is up, on the
 * rooms whose partition this member consumes.
 */
async function finalizer (app: FastifyInstance, opts: FinalizerPluginOptions) {
  let timer: NodeJS.Timeout | undefined
  let closing = false
  const partitions = partitionCounter(app.kafka.admin, opts.topic)
  const { assignment, summaries } = app.archive
  const pass = async () => {
    try {
      // Rooms belong to the member consuming their partition; none while rebalancing or stopped.
      if (!app.kafka.isConnected() || !app.mongo.isReady() || assignment.size === 0) return
      const count = await partitions()
      const rooms = await finalizeDueRooms({
        collections: app.archive.collections,
        owns: (roomId) => assignment.has(partitionFor(roomId, count)),
        idleMs: opts.idleMs,
        // Its own room.archived normally comes back within a pass or two; well after that, announce again.
        announceRetryMs: Math.max(60_000, 10 * opts.intervalMs),
        publish: async (event) => { await app.kafka.producer.send(opts.topic, [eventRecord(event)]) }
      })
      for (const roomId of rooms) summaries.delete(roomId)
      if (rooms.length > 0) {
        app.archive.metrics.roomsArchived.inc(rooms.length)
        app.log.info({ rooms: rooms.length }, 'rooms finalized and archived')
      }
    } catch (err) {
      app.log.warn({ err }, 'finalizer pass failed; next pass retries')
    } finally {
      if (!closing) timer = setTimeout(pass, opts.intervalMs)
    }
  }
  app.addHook('onReady', async () => { timer = setTimeout(pass, opts.intervalMs) })
  app.addHook('onClose', async () => { closing = true; clearTimeout(timer) })
}

export const finalizerPlugin = fp(finalizer, { name: 'room-finalizer', dependencies: ['archive'] })
