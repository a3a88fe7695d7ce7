-- Up Migration
-- Rooms by a name people can type (issue 22). Stored lowercase; unique among active rooms only, so a
-- name is free again once its room closes. The format and reserved words are checked by the API
-- (packages/protocol RoomName); the CHECK keeps the stored form canonical.
ALTER TABLE rooms ADD COLUMN name text CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(name) BETWEEN 3 AND 40);
-- Join by name, and its uniqueness while the room lives.
CREATE UNIQUE INDEX rooms_active_name ON rooms (name) WHERE status = 'active' AND name IS NOT NULL;

-- Down Migration
DROP INDEX rooms_active_name;
ALTER TABLE rooms DROP COLUMN name;
