import { CLOSE_CODES, type LeaveReason } from '@watch-together/protocol'

/**
 * Membership as realtime knows it, from room-api's events (PostgreSQL stays the truth). Each
 * member has one value in the room's `membership` hash: `E:joined` when room-api's member.joined
 * at seq E began the current membership, `L:<reason>` when its member.left at seq L ended it.
 *
 * A ticket carries its membership's epoch (the seq of the member.joined it was issued under):
 * - ended at L: the ticket is dead if its epoch < L (issued before the leave);
 * - joined at E: the ticket is dead if its epoch < E (a later membership superseded it).
 * A ticket newer than what realtime has seen (its member.joined not consumed yet) passes.
 * Tickets without an epoch (signed before it existed) pass only a joined membership.
 * The same rule runs inside the emit script (scripts.ts), so it holds for every act, atomically.
 */
export type MembershipEnd = LeaveReason | 'superseded'

export const END_CLOSE_CODES: Record<MembershipEnd, number> = {
  left: CLOSE_CODES.memberLeft,
  removed: CLOSE_CODES.memberRemoved,
  banned: CLOSE_CODES.memberBanned,
  superseded: CLOSE_CODES.ticketSuperseded
}

export const END_REASONS: Record<MembershipEnd, string> = {
  left: 'you left the room',
  removed: 'the host removed you from the room',
  banned: 'the host removed you from the room and banned you',
  superseded: 'this ticket belongs to an earlier membership; ask for a new one'
}

export function membershipValue (seq: number, state: 'joined' | LeaveReason): string {
  return `${seq}:${state}`
}

/** Whether a ticket of `epoch` is dead under the stored value (the rule above), and how. */
export function endedBy (value: string | null | undefined, epoch: number | undefined): MembershipEnd | null {
  if (!value) return null
  const sep = value.indexOf(':')
  const at = Number(value.slice(0, sep))
  const state = value.slice(sep + 1) as 'joined' | LeaveReason
  if (state !== 'joined') return epoch === undefined || epoch < at ? state : null
  return epoch !== undefined && epoch < at ? 'superseded' : null
}

/** Records room-api's verdict, unless an event at least as new is already there (replays change nothing). */
export function newerThanStored (stored: string | null | undefined, seq: number): boolean {
  if (!stored) return true
  return Number(stored.slice(0, stored.indexOf(':'))) < seq
}
