-- Up Migration
-- Room data owned by room-api. Constraints make invalid states impossible; every index
-- below names the query path that needs it.

CREATE TABLE films (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  year int CHECK (year BETWEEN 1870 AND 2100),
  duration_sec int NOT NULL CHECK (duration_sec > 0),
  stream_url text NOT NULL,
  poster_url text,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Catalog list, ordered by title.
CREATE INDEX films_by_title ON films (title, id);
-- Catalog search: word prefixes against the title.
CREATE INDEX films_title_search ON films USING gin (to_tsvector('simple', title));

CREATE TABLE rooms (
  id uuid PRIMARY KEY,
  film_id text NOT NULL REFERENCES films (id),
  owner_id text NOT NULL,
  owner_name text NOT NULL,
  invite_code text NOT NULL CHECK (invite_code ~ '^[0-9A-Za-z]{10,32}$'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'archived')),
  control_mode text NOT NULL DEFAULT 'everyone' CHECK (control_mode IN ('everyone', 'host_only')),
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  close_reason text CHECK (close_reason IN ('host', 'film_ended', 'empty')),
  archived_at timestamptz,
  -- Set while nobody is in the room (REST leave or realtime's room.emptied); the sweeper closes
  -- rooms empty for longer than the grace period.
  emptied_at timestamptz,
  -- Last per-room event sequence number written to the outbox.
  event_seq bigint NOT NULL DEFAULT 0,
  CHECK ((status = 'active') = (closed_at IS NULL)),
  CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);
-- Join by invite code (and its uniqueness).
CREATE UNIQUE INDEX rooms_invite_code ON rooms (invite_code);
-- At most one active room per owner.
CREATE UNIQUE INDEX rooms_one_active_per_owner ON rooms (owner_id) WHERE status = 'active';
-- The empty-room sweeper.
CREATE INDEX rooms_emptied ON rooms (emptied_at) WHERE status = 'active' AND emptied_at IS NOT NULL;

CREATE TABLE room_members (
  room_id uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('host', 'guest')),
  -- clock_timestamp, not now(): "longest present" must order joins inside one transaction too.
  joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  left_at timestamptz,
  online boolean NOT NULL DEFAULT false,
  -- One membership per user per room (a member who leaves and returns reuses it).
  PRIMARY KEY (room_id, user_id)
);
-- One host per room.
CREATE UNIQUE INDEX room_members_one_host ON room_members (room_id) WHERE role = 'host';
-- Host handover: the longest-present member of a room.
CREATE INDEX room_members_present ON room_members (room_id, joined_at) WHERE left_at IS NULL;

CREATE TABLE watchlist (
  user_id text NOT NULL,
  film_id text NOT NULL REFERENCES films (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  -- Serves "my list" and the matches query's lookup of a friend's entry for a film.
  PRIMARY KEY (user_id, film_id)
);
-- "My list", newest first.
CREATE INDEX watchlist_by_user_added ON watchlist (user_id, added_at DESC);

CREATE TABLE friendships (
  user_id text NOT NULL,
  friend_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Serves "my friends" and the matches query.
  PRIMARY KEY (user_id, friend_id),
  CHECK (user_id <> friend_id)
);

-- Transactional outbox: lifecycle events written with the change, relayed to Kafka.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  room_id uuid NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (room_id, seq)
);
-- The relay: unsent events in commit order.
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Down Migration
DROP TABLE outbox;
DROP TABLE friendships;
DROP TABLE watchlist;
DROP TABLE room_members;
DROP TABLE rooms;
DROP TABLE films;
