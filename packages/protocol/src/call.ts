import { z } from 'zod'
import { UserId } from './common.js'
import { CallTrackSource, MemberRole } from './event-types.js'
import { successEnvelope } from './rooms.js'

const IsoTime = z.iso.datetime({ offset: true })

/**
 * The call beside the film: each Watch Together room has a LiveKit room of the same name (the
 * room id). room-api signs the short-lived LiveKit access token a present member connects with.
 */
export const CallTokenResponse = successEnvelope({
  /** LiveKit's signaling URL as the browser reaches it (ws:// or wss://). */
  url: z.string(),
  /** The LiveKit access token (JWT): identity = user id, room = the room id. */
  token: z.string(),
  /** The LiveKit room's name (the Watch Together room id). */
  room: z.string(),
  identity: UserId,
  role: MemberRole,
  expiresAt: IsoTime
})
export type CallTokenResponse = z.infer<typeof CallTokenResponse>

/** Host only: mute (or unmute) a member's tracks of these sources (default: their microphone). */
export const CallMuteBody = z.strictObject({
  sources: z.array(CallTrackSource.exclude(['unknown'])).min(1).max(4).default(['microphone']),
  muted: z.boolean().default(true)
})
export type CallMuteBody = z.infer<typeof CallMuteBody>
/** What the host's mute changed: the tracks muted (empty when the member published none of those sources). */
export const CallMuteResponse = successEnvelope({ tracks: z.array(z.object({ trackSid: z.string(), source: CallTrackSource })) })

/**
 * A member muted or unmuted their own track (microphone, camera). LiveKit's webhooks carry no mutes,
 * so the page reports it; room-api records only the state LiveKit itself holds for that track.
 */
export const CallSelfMuteBody = z.strictObject({
  trackSid: z.string().min(1).max(64).regex(/^TR_[A-Za-z0-9]+$/, 'a LiveKit track id (TR_…)'),
  muted: z.boolean()
})
export type CallSelfMuteBody = z.infer<typeof CallSelfMuteBody>
export const CallSelfMuteResponse = successEnvelope({ trackSid: z.string(), source: CallTrackSource, muted: z.boolean() })

/** The metadata room-api puts on a participant (the token's `metadata`), read by every page in the call. */
export const CallParticipantMetadata = z.object({ role: MemberRole })
export type CallParticipantMetadata = z.infer<typeof CallParticipantMetadata>
