import { type EventPayload, type EventType, makeEvent, type PendingEvent, USER_SCOPED_EVENT_TYPES } from '@watch-together/protocol'
import { withTraceOf } from './room-events.js'

/** An event of a user-scoped type (USER_SCOPED_EVENT_TYPES), before the outbox numbers it. */
export type PendingUserEvent = PendingEvent

/** An event on one user's stream (roomId null: Kafka key `user:<userId>`). */
export function userEvent<T extends EventType> (type: T, userId: string, payload: EventPayload<T>): PendingUserEvent {
  if (!USER_SCOPED_EVENT_TYPES.has(type)) throw new Error(`${type} is not a user-scoped event type`)
  // The request's trace travels with it to the Kafka headers, as room events' do (room-events.ts).
  return withTraceOf(makeEvent(type, { roomId: null, userId, source: 'room-api', payload }) as PendingUserEvent)
}

/** The same change on both people's streams, each naming the other and who acted. */
export function pairEvents (type: 'friend.request_sent' | 'friend.request_cancelled' | 'friend.request_accepted' | 'friend.request_declined' | 'friend.removed',
  actorId: string, otherId: string): PendingUserEvent[] {
  return [
    userEvent(type, actorId, { otherUserId: otherId, actorId }),
    userEvent(type, otherId, { otherUserId: actorId, actorId })
  ]
}
