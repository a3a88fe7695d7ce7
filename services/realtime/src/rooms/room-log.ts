import { type EventPayload, type EventType, makeEvent, type PlayerState, RoomEventFrame } from '@watch-together/protocol'
import { currentTrace } from '@watch-together/service-kit'
import type { OutboxIndex } from '../kafka/outbox-index.js'
import type { RedisClient } from '../plugins/redis.js'
import { roomKeys } from './keys.js'
import type { MembershipEnd } from './membership.js'
import { EMIT_SCRIPT, scriptRunner } from './scripts.js'

export interface RoomLogOptions {
  prefix: string
  eventsMaxLen: number
  outboxMaxLen: number
  chatHistorySize: number
  ttlSeconds: number
  /** Check every frame against its schema before it is stored and sent (development and tests). */
  checkFrames: boolean
  /** Where a room's outbox stream is listed for the publishers. */
  outbox: OutboxIndex
  /**
   * After each event, wait for this many replicas of the room's node to hold it (Redis WAIT), so a
   * primary killed right after the write does not take an acknowledged event with it.
   */
  replicas?: { count: number, timeoutMs: number, wait (key: string, count: number, timeoutMs: number): Promise<number> }
  /** An event that a replica did not confirm in time (it is kept; only its durability is unconfirmed). */
  onUnreplicated?: (roomId: string, seq: number) => void
}

/** A room event frame before the emit script gives it its seq. */
export type UnsequencedFrame = RoomEventFrame extends infer F ? F extends unknown ? Omit<F, 'seq'> : never : never

export interface EmitInput<T extends EventType = EventType> {
  /** The frame for the room's members, without seq (added atomically); absent for Kafka-only events. */
  frame?: UnsequencedFrame
  /** The Kafka event; its envelope gets the same seq as the frame. */
  event?: { type: T, userId: string | null, at: number, payload: EventPayload<T> }
  /** Compare-and-set of the player state: stored only if the version is still `expectedVersion`. */
  cas?: { expectedVersion: number, state: PlayerState, endedMarker?: string }
  /** Stores the frame as this chat message in the room's recent history. */
  chatMessageId?: string
  /**
   * The act of this member (their ticket's epoch): refused, with nothing written, once their
   * membership has ended — or, with `checkMuted`, while they are muted.
   */
  member?: { userId: string, epoch: number | undefined, checkMuted?: boolean }
  /**
   * A chat message's sender and client id: a retry of a message already stored writes nothing and
   * returns the stored frame (`duplicate`). Needs `chatMessageId`.
   */
  dedupe?: { userId: string, clientMessageId: string }
  /** Counts the act in the member's rate window first (chat): over the limit nothing is written (`retryAfterMs`). */
  rateLimit?: { userId: string, max: number, windowMs: number }
  /** A deleted chat message: its stored frame becomes `json`, its original event (`seq`) leaves the resume stream. */
  tombstone?: { messageId: string, json: string, seq: number | null }
}

/** Why a member's act was refused: their membership ended (how), or they are muted. */
export type Refusal = MembershipEnd | 'muted'

export type EmitResult =
  | { ok: true, seq: number, frame: string }
  | { ok: false, current: string, refused?: undefined, duplicate?: undefined, retryAfterMs?: undefined }
  | { ok: false, refused: Refusal, current?: undefined, duplicate?: undefined, retryAfterMs?: undefined }
  /** The stored frame of the earlier attempt ('' if it is no longer held). */
  | { ok: false, duplicate: string, current?: undefined, refused?: undefined, retryAfterMs?: undefined }
  | { ok: false, retryAfterMs: number, current?: undefined, refused?: undefined, duplicate?: undefined }

/** Appends events to rooms: the one writer of seq, recent events, outbox and fan-out (see EMIT_SCRIPT). */
export function createRoomLog (redis: RedisClient, opts: RoomLogOptions) {
  const run = scriptRunner(redis, EMIT_SCRIPT)

  async function emit<T extends EventType> (roomId: string, input: EmitInput<T>): Promise<EmitResult> {
    const keys = roomKeys(opts.prefix, roomId)
    // The script splices `"seq":N,` in front of both: the envelope is made here without one.
    const event = input.event
      ? JSON.stringify(makeEvent(input.event.type, { roomId, userId: input.event.userId, at: input.event.at, source: 'realtime', payload: input.event.payload }))
      : ''
    if (input.frame && opts.checkFrames) RoomEventFrame.parse({ seq: 1, ...input.frame })
    // A step whose reply is lost (a timeout under load, a failover) may still have run: its event would then
    // wait for the publisher's sweep, up to a minute, unless the stream is hinted anyway. A hint for a stream
    // that got nothing is harmless (the publisher finds it empty and drops it).
    const reply = await run(
      [keys.seq, keys.events, keys.outbox, keys.state, keys.chat, keys.chatRecent, keys.membership, keys.muted,
        keys.chatClientIds, keys.rate(input.rateLimit?.userId ?? ''), opts.outbox.slotIndexOf(keys.outbox)],
      [
        keys.channel,
        input.frame ? JSON.stringify(input.frame) : '',
        event,
        String(opts.eventsMaxLen),
        String(opts.outboxMaxLen),
        input.cas ? String(input.cas.expectedVersion) : '',
        input.cas ? JSON.stringify(input.cas.state) : '',
        input.cas ? String(input.cas.state.version) : '',
        input.chatMessageId ?? '',
        String(opts.chatHistorySize),
        String(opts.ttlSeconds),
        input.cas?.endedMarker ?? '',
        input.member?.userId ?? '',
        input.member?.epoch === undefined ? '' : String(input.member.epoch),
        input.member?.checkMuted ? '1' : '',
        input.tombstone?.messageId ?? '',
        input.tombstone?.json ?? '',
        input.tombstone?.seq == null ? '' : String(input.tombstone.seq),
        input.event ? currentTrace()?.traceparent ?? '' : '',
        input.dedupe ? `${input.dedupe.userId}\u0000${input.dedupe.clientMessageId}` : '',
        input.rateLimit ? String(input.rateLimit.max) : '',
        input.rateLimit ? String(input.rateLimit.windowMs) : ''
      ]
    ).catch((err: unknown) => {
      if (event) opts.outbox.hintSoon(keys.outbox)
      throw err
    }) as [number, number | string, string?]
    if (reply[0] === 0) return { ok: false, current: String(reply[1]) }
    if (reply[0] === 2 || reply[0] === 3) return { ok: false, refused: String(reply[1]) as Refusal }
    if (reply[0] === 4) return { ok: false, duplicate: String(reply[1]) }
    if (reply[0] === 5) return { ok: false, retryAfterMs: Number(reply[1]) }
    const seq = Number(reply[1])
    if (event) {
      // Not awaited, gathered with others: the slot index already lists the stream (same step); the hint only
      // saves the publisher a sweep.
      opts.outbox.hintSoon(keys.outbox)
    }
    if (opts.replicas && opts.replicas.count > 0) {
      const held = await opts.replicas.wait(keys.seq, opts.replicas.count, opts.replicas.timeoutMs)
      if (held < opts.replicas.count) opts.onUnreplicated?.(roomId, seq)
    }
    return { ok: true, seq, frame: String(reply[2] ?? '') }
  }

  /**
   * The room events after `since`, or null when they are no longer all held (trimmed, expired,
   * or `since` is from the future): the caller then sends a full snapshot.
   */
  async function eventsSince (roomId: string, since: number, latest: number): Promise<string[] | null> {
    if (since > latest) return null
    if (since === latest) return []
    const keys = roomKeys(opts.prefix, roomId)
    const [first] = await redis.xRange(keys.events, '-', '+', { COUNT: 1 }) ?? []
    if (!first || Number(first.id.split('-')[0]) > since + 1) return null
    const entries = await redis.xRange(keys.events, `${since + 1}-0`, `${latest}-0`) ?? []
    return entries.map((e) => String(e.message.f))
  }

  return { emit, eventsSince }
}
export type RoomLog = ReturnType<typeof createRoomLog>
