import type { DriftOptions, LatencyOptions } from '@watch-together/sync-core'

export interface AttachOptions {
  drift?: DriftOptions
  /** Priors and margins for the element's seek and start latency (learned from the element). */
  latency?: LatencyOptions
  /** How often the media is compared with the room (ms). */
  tickMs?: number
  /**
   * Lead time (ms) of the user's play, and of a seek while playing: the local media waits for it
   * too, so everyone (the user included) starts on one instant. It should cover the others'
   * one-way latency; a member the command reaches later cues and starts a little later.
   */
  leadMs?: number
  /** A user seek closer than this to the room's position is not sent (ms). */
  userSeekMinMs?: number
  /**
   * How long the media must stay stopped (paused, stalled, ended) before the room is told this player
   * no longer plays (player.report_playing false; a start is told at once). Covers the sync's own
   * brief stops. Default 600 ms.
   */
  playingHoldMs?: number
  /** Whether the page is hidden; defaults to document.visibilityState. */
  isHidden?: () => boolean
  /** Called when the room moves to another item (load it); sync resumes when it resolves. */
  onItem?: (itemId: string | null) => void | Promise<void>
  /** Receives a line for every correction (diagnostics). */
  debug?: (line: string) => void
}

/** Counters the harness and apps can read: how often the media was corrected. */
export interface SyncStats {
  /** Seeks that follow a room change (its command, a join, a reconnect). */
  followSeeks: number
  /** Seeks the drift controller made on its own, away from any room change. */
  correctiveSeeks: number
  /** Corrective seeks decided on a drift inside the dead zone (must stay 0). */
  seeksInsideDeadZone: number
  rateChanges: number
  userCommands: number
  ignoredOwnEvents: number
}

/** How long an own change may take to produce its media event before we stop expecting it. */
export const OWN_EVENT_WINDOW_MS = 3000

type OwnKind = 'play' | 'pause' | 'seek' | 'rate'

/**
 * Own changes, marked so the events they cause are not taken for the user's: media events are
 * queued tasks that arrive after the change, so each change leaves a mark its event consumes.
 */
export class OwnChanges {
  private readonly marks: Record<OwnKind, number[]> = { play: [], pause: [], seek: [], rate: [] }

  constructor (private readonly now: () => number, private readonly stats: SyncStats) {}

  mark (kind: OwnKind) {
    this.marks[kind].push(this.now() + OWN_EVENT_WINDOW_MS)
  }

  /** Whether an event of this kind is the echo of an own change (and if so, uses the mark up). */
  consume (kind: OwnKind): boolean {
    const now = this.now()
    const marks = this.marks[kind].filter((until) => until >= now)
    this.marks[kind] = marks
    if (marks.length === 0) return false
    marks.shift()
    this.stats.ignoredOwnEvents++
    return true
  }
}
