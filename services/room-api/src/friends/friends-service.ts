import type { Relationship } from '@watch-together/protocol'
import type pg from 'pg'
import { type Db, withTransaction } from '../db/transaction.js'
import { errors } from '../errors.js'
import { appendUserEvents } from '../outbox/outbox-repository.js'
import { pairEvents, type PendingUserEvent, userEvent } from '../outbox/user-events.js'
import type { UsersRepository } from '../accounts/users-repository.js'
import type { FriendsRepository, PairState } from './friends-repository.js'

/** Whether someone who blocked me answers as if unknown (404) for this action; blocking them back works regardless. */
const HIDE_FROM_BLOCKED = true
const VISIBLE_TO_BLOCKED = false

/**
 * Mutual friendship: a request, then the other's accept. Every change runs in one transaction that
 * first locks both users' rows in id order — two people asking each other at the same moment are
 * serialized (the second finds the first's request and accepts it), and the user-scoped events
 * appended after are numbered under those same locks. Blocks: whoever blocked you does not exist
 * for you (404, as for an unknown id); someone you blocked cannot be asked until unblocked (409).
 */
export class FriendsService {
  constructor (private readonly pool: pg.Pool, private readonly users: UsersRepository, private readonly repo: FriendsRepository,
    private readonly nudge: () => void) {}

  /** POST /me/friend-requests: strict (a repeat or a friend is a 409). */
  async request (me: string, target: { userId: string } | { handle: string }): Promise<{ userId: string, relationship: Relationship }> {
    return await this.change(me, target, async (db, other, s, events) => {
      if (s.friends) throw errors.alreadyFriends()
      if (s.sent) throw errors.requestExists()
      return await this.ask(db, me, other, s, events)
    })
  }

  /** PUT /me/friends/:userId, kept from before: idempotent — asks, accepts theirs, or says how things stand. */
  async befriend (me: string, userId: string): Promise<Relationship> {
    const result = await this.change(me, { userId }, async (db, other, s, events) => {
      if (s.friends) return 'friend'
      if (s.sent) return 'request_sent'
      return await this.ask(db, me, other, s, events)
    })
    return result.relationship
  }

  async accept (me: string, otherId: string): Promise<Relationship> {
    return await this.simple(me, otherId, HIDE_FROM_BLOCKED, async (db, other, events) => {
      if (!await this.deleteRequest(db, other, me)) throw errors.requestNotFound()
      await this.makeFriends(db, me, other)
      events.push(...pairEvents('friend.request_accepted', me, other))
      return 'friend'
    })
  }

  async decline (me: string, otherId: string): Promise<Relationship> {
    return await this.simple(me, otherId, HIDE_FROM_BLOCKED, async (db, other, events) => {
      if (!await this.deleteRequest(db, other, me)) throw errors.requestNotFound()
      events.push(...pairEvents('friend.request_declined', me, other))
      return 'none'
    })
  }

  async cancel (me: string, otherId: string): Promise<Relationship> {
    return await this.simple(me, otherId, HIDE_FROM_BLOCKED, async (db, other, events) => {
      if (!await this.deleteRequest(db, me, other)) throw errors.requestNotFound()
      events.push(...pairEvents('friend.request_cancelled', me, other))
      return 'none'
    })
  }

  /** Unfriends, and withdraws my pending request if that is all there was; idempotent. */
  async remove (me: string, otherId: string): Promise<Relationship> {
    return await this.simple(me, otherId, HIDE_FROM_BLOCKED, async (db, other, events) => {
      if (await this.unfriend(db, me, other)) events.push(...pairEvents('friend.removed', me, other))
      if (await this.deleteRequest(db, me, other)) events.push(...pairEvents('friend.request_cancelled', me, other))
      return await this.deleteRequest(db, other, me, false) ? 'request_received' : 'none'
    })
  }

  /**
   * Ends any friendship or request between us (as removals, cancels and declines on both streams,
   * indistinguishable from ordinary ones) and hides me from them; user.blocked on my stream only.
   */
  async block (me: string, otherId: string): Promise<Relationship> {
    if (me === otherId) throw errors.blockSelf()
    return await this.simple(me, otherId, VISIBLE_TO_BLOCKED, async (db, other, events) => {
      if (!await this.repo.block(db, me, other)) return 'blocked'
      if (await this.unfriend(db, me, other)) events.push(...pairEvents('friend.removed', me, other))
      if (await this.deleteRequest(db, me, other)) events.push(...pairEvents('friend.request_cancelled', me, other))
      if (await this.deleteRequest(db, other, me)) events.push(...pairEvents('friend.request_declined', me, other))
      events.push(userEvent('user.blocked', me, { otherUserId: other, actorId: me }))
      return 'blocked'
    })
  }

  async unblock (me: string, otherId: string): Promise<Relationship> {
    if (me === otherId) throw errors.blockSelf()
    return await this.simple(me, otherId, VISIBLE_TO_BLOCKED, async (db, other, events) => {
      if (await this.repo.unblock(db, me, other)) events.push(userEvent('user.unblocked', me, { otherUserId: other, actorId: me }))
      return 'none'
    })
  }

  /** A request from me, or — when they already asked me — the friendship itself. */
  private async ask (db: Db, me: string, other: string, s: PairState, events: PendingUserEvent[]): Promise<Relationship> {
    if (s.received) {
      await this.deleteRequest(db, other, me)
      await this.makeFriends(db, me, other)
      events.push(...pairEvents('friend.request_accepted', me, other))
      return 'friend'
    }
    await this.repo.insertRequest(db, me, other)
    events.push(...pairEvents('friend.request_sent', me, other))
    return 'request_sent'
  }

  /** The transaction every change runs in: resolve, refuse self, lock both, read the pair's state, write, append events. */
  private async change<T extends Relationship> (me: string, target: { userId: string } | { handle: string },
    work: (db: Db, other: string, s: PairState, events: PendingUserEvent[]) => Promise<T>): Promise<{ userId: string, relationship: T }> {
    const result = await withTransaction(this.pool, async (db) => {
      const other = await this.users.idOf(db, target)
      if (other === me) throw errors.selfFriend()
      await this.lockPair(db, me, other)
      const s = await this.state(db, me, other)
      if (s.blocked_me) throw errors.userNotFound()
      if (s.i_blocked) throw errors.userBlocked()
      const events: PendingUserEvent[] = []
      const relationship = await work(db, other, s, events)
      await appendUserEvents(db, events)
      return { userId: other, relationship, wrote: events.length > 0 }
    })
    if (result.wrote) this.nudge()
    return { userId: result.userId, relationship: result.relationship }
  }

  /** Like change, for actions on a known id with no relationship preconditions beyond the pair existing. */
  private async simple (me: string, otherId: string, hidden: boolean,
    work: (db: Db, other: string, events: PendingUserEvent[]) => Promise<Relationship>): Promise<Relationship> {
    if (me === otherId) throw errors.selfFriend()
    let wrote = false
    const relationship = await withTransaction(this.pool, async (db) => {
      await this.lockPair(db, me, otherId)
      if (hidden && (await this.state(db, me, otherId)).blocked_me) throw errors.userNotFound()
      const events: PendingUserEvent[] = []
      const r = await work(db, otherId, events)
      await appendUserEvents(db, events)
      wrote = events.length > 0
      return r
    })
    if (wrote) this.nudge()
    return relationship
  }

  /** Both rows, in id order (deadlock-free); an unknown other is a 404. */
  private async lockPair (db: Db, me: string, other: string) {
    if (!await this.repo.lockPair(db, me, other)) throw errors.userNotFound()
  }

  private async state (db: Db, me: string, other: string): Promise<PairState> {
    return await this.repo.pairState(db, me, other)
  }

  private async deleteRequest (db: Db, from: string, to: string, remove = true): Promise<boolean> {
    return await this.repo.deleteRequest(db, from, to, remove)
  }

  private async makeFriends (db: Db, a: string, b: string) {
    await this.repo.makeFriends(db, a, b)
  }

  private async unfriend (db: Db, a: string, b: string): Promise<boolean> {
    return await this.repo.unfriend(db, a, b)
  }
}
