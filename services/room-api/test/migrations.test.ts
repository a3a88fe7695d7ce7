import { randomUUID } from 'node:crypto'
import { stack, uniqueName } from '@watch-together/test-kit'
import pg from 'pg'
import t from 'tap'
import { runner } from 'node-pg-migrate'
import { MIGRATIONS_DIR, runMigrations } from '../src/db/migrations.js'
import { requireStack } from './helpers/app.js'

t.test('migrations apply once, and the constraints refuse invalid states', async (t) => {
  await requireStack()
  const schema = uniqueName('room_api_migrations')
  const log = { info: () => {} }
  const first = await runMigrations(stack.databaseUrl, schema, log)
  t.ok(first.length >= 2, 'schema and demo films applied')
  t.same(await runMigrations(stack.databaseUrl, schema, log), [], 'a second run applies nothing')

  const db = new pg.Client({ connectionString: stack.databaseUrl, options: `-c search_path=${schema}` })
  await db.connect()
  t.teardown(async () => { await db.query(`DROP SCHEMA ${schema} CASCADE`); await db.end() })
  const insertRoom = (owner: string, code: string, status = 'active') => db.query(
    `INSERT INTO rooms (id, film_id, owner_id, owner_name, invite_code, status, closed_at)
     VALUES ($1, 'sintel', $2, 'n', $3, $4, CASE WHEN $4 = 'active' THEN NULL ELSE now() END) RETURNING id`,
    [randomUUID(), owner, code, status])
  const violation = async (what: string, work: () => Promise<unknown>, constraint: string) => {
    await t.rejects(work(), { code: '23505', constraint }, what)
  }
  const room = (await insertRoom('owner-1', 'AAAAAAAAAA01')).rows[0].id
  await violation('a second active room per owner', () => insertRoom('owner-1', 'AAAAAAAAAA02'), 'rooms_one_active_per_owner')
  await insertRoom('owner-1', 'AAAAAAAAAA03', 'closed')
  t.pass('closed rooms of the same owner are fine')
  await violation('a reused invite code', () => insertRoom('owner-2', 'AAAAAAAAAA01'), 'rooms_invite_code')
  await db.query("INSERT INTO room_members (room_id, user_id, name, role) VALUES ($1, 'u1', 'U1', 'host')", [room])
  await violation('a second membership of one user', () => db.query("INSERT INTO room_members (room_id, user_id, name, role) VALUES ($1, 'u1', 'U1', 'guest')", [room]), 'room_members_pkey')
  await violation('a second host', () => db.query("INSERT INTO room_members (room_id, user_id, name, role) VALUES ($1, 'u2', 'U2', 'host')", [room]), 'room_members_one_host')
  await t.rejects(db.query("UPDATE rooms SET status = 'closed' WHERE id = $1", [room]), { code: '23514' }, 'closed without closed_at')
  await t.rejects(db.query("INSERT INTO friendships (user_id, friend_id) VALUES ('a', 'a')"), { code: '23514' }, 'befriending oneself')
  await t.rejects(db.query("INSERT INTO watchlist (user_id, film_id) VALUES ('a', 'no-such-film')"), { code: '23503' }, 'unknown film')

  // Every query path has an index.
  const { rows } = await db.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [schema])
  const names = rows.map((r) => r.indexname)
  for (const index of ['films_by_title', 'films_title_search', 'rooms_invite_code', 'rooms_one_active_per_owner', 'rooms_emptied',
    'room_members_present', 'watchlist_pkey', 'watchlist_by_user_added', 'friendships_pkey', 'outbox_pkey',
    'users_handle', 'users_email', 'users_display_name_prefix', 'friend_requests_pkey', 'friend_requests_incoming', 'blocks_pkey',
    'sessions_live_by_user', 'refresh_tokens_pkey', 'watchlist_by_film', 'outbox_user_seq',
    'media_items_search', 'media_items_titles_trgm', 'media_items_title_search', 'films_by_year_title']) {
    t.ok(names.includes(index), index)
  }
})

t.test('issue 14: one-way friends of before become requests, mutual ones stay friends, everyone gets a user row', async (t) => {
  await requireStack()
  const schema = uniqueName('room_api_migrate_friends')
  const common = { databaseUrl: stack.databaseUrl, dir: MIGRATIONS_DIR, schema, createSchema: true, migrationsTable: 'pgmigrations', log: () => {} }
  // Up to the migration before accounts (room names), then data as it was, then the rest.
  await runner({ ...common, direction: 'up', count: 7 })
  const db = new pg.Client({ connectionString: stack.databaseUrl, options: `-c search_path=${schema}` })
  await db.connect()
  t.teardown(async () => { await db.query(`DROP SCHEMA ${schema} CASCADE`); await db.end() })
  const room = randomUUID()
  await db.query("INSERT INTO rooms (id, film_id, owner_id, owner_name, invite_code) VALUES ($1, 'sintel', 'ann', 'Ann', 'AAAAAAAAAA01')", [room])
  await db.query("INSERT INTO room_members (room_id, user_id, name, role) VALUES ($1, 'ann', 'Ann From Rooms', 'host')", [room])
  await db.query(`INSERT INTO friendships (user_id, friend_id) VALUES ('ann', 'ben'), ('ben', 'ann'), ('ann', 'cid'),
    ('${'x'.repeat(100)}', 'ann')`)
  await runMigrations(stack.databaseUrl, schema, { info: () => {} })

  const friends = await db.query('SELECT user_id, friend_id FROM friendships ORDER BY 1, 2')
  t.same(friends.rows, [{ user_id: 'ann', friend_id: 'ben' }, { user_id: 'ben', friend_id: 'ann' }], 'the mutual pair stays')
  const requests = await db.query('SELECT from_user_id, to_user_id FROM friend_requests ORDER BY 1, 2')
  t.same(requests.rows.map((r) => [r.from_user_id.slice(0, 5), r.to_user_id]), [['ann', 'cid'], ['xxxxx', 'ann']], 'one-way rows became requests')
  const users = await db.query('SELECT id, handle, display_name, origin FROM users ORDER BY id')
  t.same(users.rows.map((u) => u.id.slice(0, 5)), ['ann', 'ben', 'cid', 'xxxxx'])
  t.equal(users.rows[0].display_name, 'Ann From Rooms', 'named after their latest room membership')
  t.equal(users.rows[1].display_name, 'ben', 'else after their id')
  t.equal(users.rows[3].display_name.length, 64, 'cut to the display-name limit')
  for (const u of users.rows) {
    t.match(u.handle, /^user_[0-9a-f]{12}$/)
    t.equal(u.origin, 'external')
  }

  // Down: requests go back to being one-way friends; up again restores the same state.
  // Three steps down: catalog search's indexes and the media library (issue 15), then the accounts one.
  await runner({ ...common, direction: 'down', count: 3 })
  t.equal((await db.query('SELECT count(*)::int AS n FROM friendships')).rows[0].n, 4)
  t.equal((await db.query("SELECT to_regclass('users') AS t")).rows[0].t, null)
  await runMigrations(stack.databaseUrl, schema, { info: () => {} })
  t.equal((await db.query('SELECT count(*)::int AS n FROM friend_requests')).rows[0].n, 2)
})
