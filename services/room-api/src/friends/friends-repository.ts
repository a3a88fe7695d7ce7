import { MATCH_FRIENDS_SHOWN, type PeopleMatch } from '@watch-together/protocol'
import type pg from 'pg'
import type { Db } from '../db/transaction.js'
import { PERSON_COLUMNS, type PersonRow, toPerson } from '../accounts/users-repository.js'
import { FILM_COLUMNS, type FilmRow, toFilm } from '../rooms/room-view.js'

type Dated = PersonRow & { at: Date }

/** How two people stand, read under their row locks (FriendsService decides what a change may do). */
export interface PairState { blocked_me: boolean, i_blocked: boolean, friends: boolean, sent: boolean, received: boolean }

/**
 * The friendships, friend_requests and blocks tables: the reads (my friends, requests, blocks, the
 * films we both want) and the writes FriendsService makes inside its transactions.
 */
export class FriendsRepository {
  constructor (private readonly pool: pg.Pool) {}

  /** Both users' rows, in id order (deadlock-free); false when either does not exist. */
  async lockPair (db: Db, me: string, other: string): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM users WHERE id = ANY($1) ORDER BY id FOR UPDATE', [[me, other]])
    return rowCount === 2
  }

  async pairState (db: Db, me: string, other: string): Promise<PairState> {
    const { rows } = await db.query<PairState>(`SELECT
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $2 AND blocked_id = $1) AS blocked_me,
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2) AS i_blocked,
      EXISTS (SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2) AS friends,
      EXISTS (SELECT 1 FROM friend_requests WHERE from_user_id = $1 AND to_user_id = $2) AS sent,
      EXISTS (SELECT 1 FROM friend_requests WHERE from_user_id = $2 AND to_user_id = $1) AS received`, [me, other])
    return rows[0] as PairState
  }

  async insertRequest (db: Db, from: string, to: string): Promise<void> {
    await db.query('INSERT INTO friend_requests (from_user_id, to_user_id) VALUES ($1, $2)', [from, to])
  }

  /** Deletes the request from → to; with `remove` false only says whether one exists. */
  async deleteRequest (db: Db, from: string, to: string, remove = true): Promise<boolean> {
    const sql = remove
      ? 'DELETE FROM friend_requests WHERE from_user_id = $1 AND to_user_id = $2'
      : 'SELECT 1 FROM friend_requests WHERE from_user_id = $1 AND to_user_id = $2'
    return ((await db.query(sql, [from, to])).rowCount ?? 0) > 0
  }

  async makeFriends (db: Db, a: string, b: string): Promise<void> {
    await db.query('INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING', [a, b])
  }

  async unfriend (db: Db, a: string, b: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM friendships WHERE (user_id, friend_id) IN (($1, $2), ($2, $1))', [a, b])
    return (rowCount ?? 0) > 0
  }

  /** True when the block is new. */
  async block (db: Db, blocker: string, blocked: string): Promise<boolean> {
    const { rowCount } = await db.query('INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [blocker, blocked])
    return (rowCount ?? 0) > 0
  }

  /** True when there was a block to lift. */
  async unblock (db: Db, blocker: string, blocked: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [blocker, blocked])
    return (rowCount ?? 0) > 0
  }

  /** Which of `userIds` are `me`'s friends. */
  async friendIdsAmong (db: Db, me: string, userIds: string[]): Promise<Set<string>> {
    const { rows } = await db.query<{ friend_id: string }>(
      'SELECT friend_id FROM friendships WHERE user_id = $1 AND friend_id = ANY($2::text[])', [me, userIds])
    return new Set(rows.map((r) => r.friend_id))
  }

  async friends (me: string) {
    const { rows } = await this.pool.query<Dated>(`SELECT ${PERSON_COLUMNS}, f.created_at AS at
      FROM friendships f JOIN users u ON u.id = f.friend_id WHERE f.user_id = $1 ORDER BY f.created_at, u.id`, [me])
    return rows.map((r) => ({ ...toPerson(r), userId: r.id, since: r.at.toISOString() }))
  }

  async requests (me: string) {
    const [incoming, outgoing] = await Promise.all([
      this.pool.query<Dated>(`SELECT ${PERSON_COLUMNS}, r.created_at AS at FROM friend_requests r JOIN users u ON u.id = r.from_user_id
        WHERE r.to_user_id = $1 ORDER BY r.created_at, u.id`, [me]),
      this.pool.query<Dated>(`SELECT ${PERSON_COLUMNS}, r.created_at AS at FROM friend_requests r JOIN users u ON u.id = r.to_user_id
        WHERE r.from_user_id = $1 ORDER BY r.created_at, u.id`, [me])
    ])
    const item = (r: Dated) => ({ person: toPerson(r), at: r.at.toISOString() })
    return { incoming: incoming.rows.map(item), outgoing: outgoing.rows.map(item) }
  }

  async blocks (me: string) {
    const { rows } = await this.pool.query<Dated>(`SELECT ${PERSON_COLUMNS}, b.created_at AS at
      FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1 ORDER BY b.created_at, u.id`, [me])
    return rows.map((r) => ({ person: toPerson(r), since: r.at.toISOString() }))
  }

  /**
   * Films on my list that friends also want, most-shared first (then by title), with those friends:
   * one statement. `top` counts friends per shared film (friendships and watchlist by primary key, or
   * watchlist_by_film, as the planner prefers) and keeps the first `limit`; only for those films are
   * the friends themselves listed, at most MATCH_FRIENDS_SHOWN each, by handle. `total` is the number
   * of shared films.
   */
  async matches (me: string, limit: number): Promise<{ matches: PeopleMatch[], total: number }> {
    const { rows } = await this.pool.query<FilmRow & { count: number, total: number, friends: PersonRow[] }>(`
      WITH shared AS (
        SELECT mine.film_id, count(*)::int AS count
        FROM watchlist mine
        JOIN friendships fr ON fr.user_id = mine.user_id
        JOIN watchlist fw ON fw.user_id = fr.friend_id AND fw.film_id = mine.film_id
        WHERE mine.user_id = $1
        GROUP BY mine.film_id
      ), top AS (
        SELECT s.film_id, s.count, count(*) OVER ()::int AS total FROM shared s JOIN films f ON f.id = s.film_id
        ORDER BY s.count DESC, f.title, f.id LIMIT $2
      )
      SELECT ${FILM_COLUMNS}, top.count, top.total, people.friends
      FROM top JOIN films f ON f.id = top.film_id
      CROSS JOIN LATERAL (
        SELECT json_agg(json_build_object('id', u.id, 'handle', u.handle, 'display_name', u.display_name, 'avatar_version', u.avatar_version)
          ORDER BY u.handle) AS friends
        FROM (SELECT ${PERSON_COLUMNS} FROM friendships fr
              JOIN watchlist fw ON fw.user_id = fr.friend_id AND fw.film_id = top.film_id
              JOIN users u ON u.id = fr.friend_id
              WHERE fr.user_id = $1 ORDER BY u.handle LIMIT $3) u
      ) people
      ORDER BY top.count DESC, f.title, f.id`, [me, limit, MATCH_FRIENDS_SHOWN])
    const matches = rows.map((r) => {
      const friends = r.friends.map(toPerson)
      return { film: toFilm(r), friendIds: friends.map((p) => p.id), friends, count: r.count }
    })
    return { matches, total: rows[0]?.total ?? 0 }
  }
}
