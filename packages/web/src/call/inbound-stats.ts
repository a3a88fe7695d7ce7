import type { Room } from 'livekit-client'
import { livekit } from './livekit.js'

/** What this page receives from one other member: RTP bytes and decoded frames / audio samples, per kind. */
export interface InboundStats {
  audioBytes: number
  audioSamples: number
  videoBytes: number
  videoFramesDecoded: number
  /** Screen share frames decoded (a track of its own). */
  screenFramesDecoded: number
}

/**
 * Reads the inbound-rtp stats of every subscribed track (WebRTC getStats): proof that media
 * arrives and is decoded, not only that a track was announced.
 */
export async function inboundStats (room: Room): Promise<Record<string, InboundStats>> {
  const out: Record<string, InboundStats> = {}
  for (const participant of room.remoteParticipants.values()) {
    const stats: InboundStats = { audioBytes: 0, audioSamples: 0, videoBytes: 0, videoFramesDecoded: 0, screenFramesDecoded: 0 }
    for (const pub of participant.trackPublications.values()) {
      const report = await pub.track?.getRTCStatsReport().catch(() => undefined)
      report?.forEach((s: { type: string, kind?: string, bytesReceived?: number, framesDecoded?: number, totalSamplesReceived?: number }) => {
        if (s.type !== 'inbound-rtp') return
        if (s.kind === 'audio') {
          stats.audioBytes += s.bytesReceived ?? 0
          stats.audioSamples += s.totalSamplesReceived ?? 0
        } else if (pub.source === livekit().Track.Source.ScreenShare) {
          stats.screenFramesDecoded += s.framesDecoded ?? 0
        } else {
          stats.videoBytes += s.bytesReceived ?? 0
          stats.videoFramesDecoded += s.framesDecoded ?? 0
        }
      })
    }
    out[participant.identity] = stats
  }
  return out
}
