import { type CallParticipantMetadata, type MemberRole } from '@watch-together/protocol'
import { AccessToken, TrackSource, type VideoGrant } from 'livekit-server-sdk'

export interface CallTokenInput {
  userId: string
  name: string
  roomId: string
  role: MemberRole
}

/** Every member may publish these; screen share is a track like the camera (the shared screen and its sound). */
const SOURCES = [TrackSource.MICROPHONE, TrackSource.CAMERA, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO]

/** The grants of a member's call token: everyone publishes and subscribes; the host also administers the room (mute others' tracks, remove them). */
export function callGrant (roomId: string, role: MemberRole): VideoGrant {
  return {
    room: roomId,
    roomJoin: true,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
    canPublishSources: SOURCES,
    // Names and roles come from room-api, not from the page.
    canUpdateOwnMetadata: false,
    ...(role === 'host' ? { roomAdmin: true } : {})
  }
}

/**
 * Signs LiveKit access tokens with livekit-server-sdk (HS256 with the LiveKit API secret): the
 * identity is the user id, the LiveKit room is the Watch Together room's id, the name and role
 * travel as participant name and metadata. Short-lived: a token only has to open the connection
 * (LiveKit refreshes the token of a connected participant itself).
 */
export function createCallTokenSigner (apiKey: string, apiSecret: string, ttlSeconds: number) {
  return async (input: CallTokenInput) => {
    const metadata: CallParticipantMetadata = { role: input.role }
    const token = new AccessToken(apiKey, apiSecret, { identity: input.userId, name: input.name, ttl: ttlSeconds, metadata: JSON.stringify(metadata) })
    token.addGrant(callGrant(input.roomId, input.role))
    // The SDK sets exp from ttl at signing; the answer says when that is.
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString()
    return { token: await token.toJwt(), expiresAt }
  }
}
