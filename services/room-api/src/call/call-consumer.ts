import { eventBatchHandler, eventConsumerPlugin } from '@watch-together/kafka'
import type { FastifyInstance } from 'fastify'
import type { CallService } from './call-service.js'

export interface CallConsumerOptions {
  topic: string
  /** A group of its own: while LiveKit is away this consumer retries in place without holding up the room lifecycle consumer. */
  groupId: string
  dlqTopic: string
  call: CallService
}

/**
 * Ends call access with membership: a member.left (left, removed, banned) removes that member from
 * the room's LiveKit room, a room.closed ends the call. Both are idempotent (nobody there: done),
 * and a failure (LiveKit down) is retried in place until LiveKit answers: nothing is skipped.
 */
export function callConsumerPlugin (opts: CallConsumerOptions) {
  return eventConsumerPlugin({
    name: 'room-api-call-consumer',
    topic: opts.topic,
    groupId: opts.groupId,
    dependencies: ['livekit'],
    handler: (app: FastifyInstance) => eventBatchHandler({
      handlers: {
        'member.left': async (event) => { if (event.userId !== null) await opts.call.expel(event.roomId as string, event.userId) },
        'room.closed': async (event) => { await opts.call.endCall(event.roomId as string) }
      },
      deadLetter: async (record) => { await app.kafka.producer.send(opts.dlqTopic, [record]) },
      service: 'room-api-call',
      log: app.log,
      report: app.reportError
    })
  })
}
