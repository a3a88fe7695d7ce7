-- Up Migration
-- Accounts and real friends (issue 14): one users table whichever way a person signs in (password,
-- Telegram, or a token from the external Auth service, whose `sub` becomes the id), sessions with
-- rotating refresh tokens, mutual friendship with requests and blocks, user-scoped outbox events.

CREATE TABLE users (
  -- Our own accounts get a UUID; external Auth service users keep their `sub`.
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  -- Stored lowercase: uniqueness and search are case-insensitive (protocol Handle).
  handle text NOT NULL CHECK (handle ~ '^[a-z][a-z0-9_]{2,29}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
  email text CHECK (email = lower(email) AND length(email) <= 254),
  -- argon2id PHC string; an account has both an email and a password, or neither (Telegram, external).
  password_hash text,
  origin text NOT NULL CHECK (origin IN ('password', 'telegram', 'external')),
  -- Bumped by every avatar change: avatar URLs carry it, so they can be cached for good.
  avatar_version int NOT NULL DEFAULT 0,
  -- Last per-user event sequence number written to the outbox (user-scoped events).
  event_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((email IS NULL) = (password_hash IS NULL))
);
-- Handle uniqueness, lookup by handle, and prefix search (LIKE 'abc%' needs the pattern opclass).
CREATE UNIQUE INDEX users_handle ON users (handle text_pattern_ops);
-- Sign-in by email.
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;
-- Prefix search on display names, case-insensitive.
CREATE INDEX users_display_name_prefix ON users (lower(display_name) text_pattern_ops);

-- Sign-in methods other than a password; one per provider per user.
CREATE TABLE user_identities (
  provider text NOT NULL CHECK (provider IN ('telegram')),
  subject text NOT NULL,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  username text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, subject),
  UNIQUE (user_id, provider)
);

-- Uploaded avatars (checked by magic bytes and size); without one, an initials SVG is drawn.
CREATE TABLE avatars (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
  bytes bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A session is a refresh-token family: one sign-in and every rotation after it.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  method text NOT NULL CHECK (method IN ('password', 'telegram')),
  -- SHA-256 of the session's CSRF token (synchronizer token, bound to the session).
  csrf_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  refreshed_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoke_reason text CHECK (revoke_reason IN ('sign_out', 'sign_out_everywhere', 'password_changed', 'reuse')),
  CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
-- Sign out everywhere / password change: a user's live sessions.
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Only hashes are stored. A rotated token keeps its row (used_at set) until it expires: presenting
-- it again is reuse, and revokes its session.
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
-- The sweeper.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- Failed sign-ins per key ('email:<sha256>' or 'ip:<address>'), shared by every replica.
CREATE TABLE sign_in_throttle (
  key text PRIMARY KEY,
  failures int NOT NULL,
  window_started_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- Telegram login payloads already used (by hash), kept for the freshness window: no replays.
CREATE TABLE telegram_auth_uses (
  hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX telegram_auth_uses_expiry ON telegram_auth_uses (expires_at);

-- Friends become mutual. Everyone in a friendship so far gets a user row (their latest room name,
-- else the id, as display name; a generated handle they can change).
INSERT INTO users (id, handle, display_name, origin)
SELECT ids.id, 'user_' || substr(md5(ids.id), 1, 12),
  left(coalesce((SELECT m.name FROM room_members m WHERE m.user_id = ids.id ORDER BY m.joined_at DESC LIMIT 1), ids.id), 64),
  'external'
FROM (SELECT user_id AS id FROM friendships UNION SELECT friend_id FROM friendships) ids;

CREATE TABLE friend_requests (
  from_user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  to_user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Outgoing requests, and at most one per direction.
  PRIMARY KEY (from_user_id, to_user_id),
  CHECK (from_user_id <> to_user_id)
);
-- Incoming requests, oldest first.
CREATE INDEX friend_requests_incoming ON friend_requests (to_user_id, created_at);

-- A one-way "friend" of before was a wish, not a friendship: it becomes a pending request; pairs
-- that had added each other stay friends.
INSERT INTO friend_requests (from_user_id, to_user_id, created_at)
SELECT f.user_id, f.friend_id, f.created_at FROM friendships f
WHERE NOT EXISTS (SELECT 1 FROM friendships r WHERE r.user_id = f.friend_id AND r.friend_id = f.user_id);
DELETE FROM friendships f
WHERE NOT EXISTS (SELECT 1 FROM friendships r WHERE r.user_id = f.friend_id AND r.friend_id = f.user_id);
ALTER TABLE friendships
  ADD CONSTRAINT friendships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  ADD CONSTRAINT friendships_friend FOREIGN KEY (friend_id) REFERENCES users (id) ON DELETE CASCADE;

-- A friendship is stored as both directions (so "my friends" and the matches query read one
-- index range); checked at commit, so a half-written friendship cannot exist.
CREATE FUNCTION friendships_symmetric() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM friendships WHERE user_id = NEW.friend_id AND friend_id = NEW.user_id) THEN
    RAISE EXCEPTION 'friendship % → % has no reverse row', NEW.user_id, NEW.friend_id USING ERRCODE = '23514';
  END IF;
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM friendships WHERE user_id = OLD.friend_id AND friend_id = OLD.user_id) THEN
    RAISE EXCEPTION 'friendship % → % removed without its reverse row', OLD.user_id, OLD.friend_id USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER friendships_symmetric AFTER INSERT OR DELETE ON friendships
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION friendships_symmetric();

CREATE TABLE blocks (
  blocker_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- "Whom I blocked", and "has X blocked me" as a key lookup.
  PRIMARY KEY (blocker_id, blocked_id),
  CHECK (blocker_id <> blocked_id)
);

-- Matches: which users want a film (the planner's choice when a list is long and friends are many).
CREATE INDEX watchlist_by_film ON watchlist (film_id, user_id);

-- User-scoped events (roomId null, Kafka key `user:<id>`) share the outbox and its relay: such a
-- row names its user instead of a room and is numbered from users.event_seq, taken under the
-- user's row lock, so one user's events are gap-free and in commit order like a room's.
ALTER TABLE outbox ALTER COLUMN room_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN user_id text;
ALTER TABLE outbox ADD CONSTRAINT outbox_one_stream CHECK ((room_id IS NULL) <> (user_id IS NULL));
CREATE UNIQUE INDEX outbox_user_seq ON outbox (user_id, seq) WHERE user_id IS NOT NULL;

-- Down Migration
DROP INDEX outbox_user_seq;
ALTER TABLE outbox DROP CONSTRAINT outbox_one_stream;
DELETE FROM outbox WHERE room_id IS NULL;
ALTER TABLE outbox DROP COLUMN user_id;
ALTER TABLE outbox ALTER COLUMN room_id SET NOT NULL;
DROP INDEX watchlist_by_film;
DROP TABLE blocks;
DROP TRIGGER friendships_symmetric ON friendships;
DROP FUNCTION friendships_symmetric();
ALTER TABLE friendships DROP CONSTRAINT friendships_user, DROP CONSTRAINT friendships_friend;
-- Pending requests go back to being one-way friends.
INSERT INTO friendships (user_id, friend_id, created_at)
SELECT from_user_id, to_user_id, created_at FROM friend_requests ON CONFLICT DO NOTHING;
DROP TABLE friend_requests;
DROP TABLE telegram_auth_uses;
DROP TABLE sign_in_throttle;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE avatars;
DROP TABLE user_identities;
DROP TABLE users;
