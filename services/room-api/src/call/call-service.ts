import { createHash } from 'node:crypto'
import type { CallTrackSource, MemberRole, PendingEvent } from '@watch-together/protocol'
import { type RoomServiceClient, TrackSource, TrackType, type WebhookEvent } from 'livekit-server-sdk'
import type pg from 'pg'
import { withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import { appendEvents } from '../outbox/outbox-repository.js'
import { roomEvent } from '../outbox/room-events.js'
import { callFacts } from '../rooms/rooms-repository.js'
import type { CallTokenInput } from './call-tokens.js'
import { callErrors } from './call-errors.js'

export interface CurrentUser { id: string, name: string }

const SOURCE_NAMES: Record<number, CallTrackSource> = {
  [TrackSource.MICROPHONE]: 'microphone',
  [TrackSource.CAMERA]: 'camera',
  [TrackSource.SCREEN_SHARE]: 'screen_share',
  [TrackSource.SCREEN_SHARE_AUDIO]: 'screen_share_audio'
}
const sourceName = (source: TrackSource): CallTrackSource => SOURCE_NAMES[source] ?? 'unknown'

/** LiveKit's server API answers `not_found` for a room or participant that is not there: for us, nothing to do. */
export function isNotFound (err: unknown): boolean {
  const e = err as { status?: number, code?: string }
  return e?.status === 404 || e?.code === 'not_found'
}

/**
 * The call beside the film. The LiveKit room of a Watch Together room is named by the room id and
 * a participant's identity is the user id, so membership (PostgreSQL, decided here) maps onto the
 * call without a table of its own: a present member gets a token, a departed one is removed.
 */
export class CallService {
  constructor (
    private readonly pool: pg.Pool,
    private readonly livekit: RoomServiceClient,
    private readonly sign: (input: CallTokenInput) => Promise<{ token: string, expiresAt: string }>,
    private readonly publicUrl: string,
    private readonly onEvents: () => void
  ) {}

  /** A present member of an active room gets a token; anyone else a stable refusal. */
  async token (user: CurrentUser, roomId: string) {
    const role = await this.presentRole(roomId, user.id)
    const signed = await this.sign({ userId: user.id, name: user.name, roomId, role })
    return { url: this.publicUrl, room: roomId, identity: user.id, role, ...signed }
  }

  /** Host only: mutes (or unmutes) a member's published tracks of these sources, through LiveKit's server API. */
  async mute (user: CurrentUser, roomId: string, targetId: string, sources: CallTrackSource[], muted: boolean) {
    await this.requireHostOver(roomId, user.id, targetId)
    const participant = await this.livekit.getParticipant(roomId, targetId).catch((err: unknown) => {
      if (isNotFound(err)) throw callErrors.notInCall()
      throw callErrors.unavailable()
    })
    const tracks = participant.tracks.filter((track) => sources.includes(sourceName(track.source)))
    const changed: Array<{ trackSid: string, source: CallTrackSource }> = []
    for (const track of tracks) {
      await this.livekit.mutePublishedTrack(roomId, targetId, track.sid, muted).catch((err: unknown) => {
        if (!isNotFound(err)) throw callErrors.unavailable()
      })
      changed.push({ trackSid: track.sid, source: sourceName(track.source) })
    }
    await this.record(roomId, changed.map((t) => roomEvent('call.track_muted', roomId, targetId, { actorId: user.id, trackSid: t.trackSid, source: t.source, muted })))
    return changed
  }

  /**
   * A member muted or unmuted their own track. The page reports it (LiveKit's webhooks carry no
   * mutes), but what is recorded is LiveKit's own state for the track: the report only says when to
   * look. The page's mute reaches LiveKit as a signal of its own, so the state is read a few times
   * before the report is refused as not (yet) true.
   */
  async selfMute (user: CurrentUser, roomId: string, trackSid: string, muted: boolean) {
    await this.presentRole(roomId, user.id)
    for (let attempt = 0; ; attempt++) {
      const participant = await this.livekit.getParticipant(roomId, user.id).catch((err: unknown) => {
        if (isNotFound(err)) throw callErrors.notInCall()
        throw callErrors.unavailable()
      })
      const track = participant.tracks.find((t) => t.sid === trackSid)
      if (!track) throw callErrors.trackNotFound()
      if (track.muted === muted) {
        const source = sourceName(track.source)
        await this.record(roomId, [roomEvent('call.track_muted', roomId, user.id, { actorId: user.id, trackSid, source, muted })])
        return { trackSid, source, muted }
      }
      if (attempt >= SELF_MUTE_READS - 1) throw callErrors.stateDiffers()
      await new Promise((resolve) => setTimeout(resolve, SELF_MUTE_READ_GAP_MS))
    }
  }

  /** Host only: removes a member from the call (they stay in the room and may join the call again). */
  async removeFromCall (user: CurrentUser, roomId: string, targetId: string) {
    await this.requireHostOver(roomId, user.id, targetId)
    try {
      await this.livekit.removeParticipant(roomId, targetId)
    } catch (err) {
      if (isNotFound(err)) throw callErrors.notInCall()
      throw callErrors.unavailable()
    }
    await this.record(roomId, [roomEvent('call.member_removed', roomId, targetId, { actorId: user.id })])
  }

  /**
   * A member's membership ended (left, removed, banned): out of the call at once. Idempotent (not in
   * the call: done); any other failure throws, so the consumer retries until LiveKit answers.
   */
  async expel (roomId: string, userId: string): Promise<void> {
    try {
      await this.livekit.removeParticipant(roomId, userId)
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  /** The room closed: its call ends for everyone (idempotent, like expel). */
  async endCall (roomId: string): Promise<void> {
    try {
      await this.livekit.deleteRoom(roomId)
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  /**
   * A verified LiveKit webhook: joins, leaves and published tracks become events of the room. The
   * event id is derived from LiveKit's, so a redelivered webhook is refused by the outbox's unique
   * id instead of recorded twice. Rooms unknown here (not ours) are ignored.
   */
  async onWebhook (event: WebhookEvent): Promise<void> {
    const roomId = event.room?.name
    const participant = event.participant
    if (!roomId || !participant?.identity || !UUID.test(roomId)) return
    const id = eventIdFrom(event.id)
    const userId = participant.identity
    let pending: PendingEvent | undefined
    switch (event.event) {
      case 'participant_joined':
        pending = roomEvent('call.joined', roomId, userId, { name: participant.name, participantSid: participant.sid })
        break
      case 'participant_left':
      case 'participant_connection_aborted':
        pending = roomEvent('call.left', roomId, userId, { participantSid: participant.sid, ...(event.event === 'participant_connection_aborted' ? { aborted: true } : {}) })
        break
      case 'track_published':
      case 'track_unpublished': {
        const track = event.track
        if (!track || track.type === TrackType.DATA) return
        const payload = { participantSid: participant.sid, trackSid: track.sid, source: sourceName(track.source), kind: track.type === TrackType.AUDIO ? 'audio' as const : 'video' as const }
        pending = event.event === 'track_published' ? roomEvent('call.track_published', roomId, userId, payload) : roomEvent('call.track_unpublished', roomId, userId, payload)
        break
      }
      default:
        return
    }
    try {
      await this.record(roomId, [{ ...pending, id }])
    } catch (err) {
      // The same webhook again (LiveKit retries one it thinks failed): already recorded.
      if ((err as { code?: string }).code === '23505') return
      throw err
    }
  }

  private async record (roomId: string, events: PendingEvent[]) {
    if (events.length === 0) return
    await withTransaction(this.pool, (db) => appendEvents(db, roomId, events))
    this.onEvents()
  }

  private async presentRole (roomId: string, userId: string): Promise<MemberRole> {
    const facts = await callFacts(this.pool, roomId, userId)
    if (!facts) throw errors.roomNotFound()
    if (facts.status !== 'active') throw errors.roomClosed()
    if (facts.left_reason === 'banned') throw errors.banned()
    if (!facts.role || facts.left_at !== null) throw errors.notMember()
    return facts.role
  }

  private async requireHostOver (roomId: string, actorId: string, targetId: string) {
    if ((await this.presentRole(roomId, actorId)) !== 'host') throw errors.notHost()
    if (targetId === actorId) throw errors.moderateSelf()
    const target = await callFacts(this.pool, roomId, targetId)
    if (!target?.role || target.left_at !== null) throw errors.memberNotFound()
  }
}

/** How long a self-mute report waits for LiveKit to show the state (reads × gap, about a second). */
const SELF_MUTE_READS = 6
const SELF_MUTE_READ_GAP_MS = 200

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A stable UUID for a LiveKit webhook id (`EV_…`): the same webhook always makes the same event id. */
export function eventIdFrom (webhookId: string): string {
  const h = createHash('sha256').update(`livekit-webhook:${webhookId}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`
}
