-- Up Migration
-- Whether the host is in the room, kept on the room row (always changed under its row lock).
-- It lets the common join — a guest into an active room whose host is there — be one statement:
-- the UPDATE's WHERE is re-checked against the newest row version after waiting for the lock.
ALTER TABLE rooms ADD COLUMN host_present boolean NOT NULL DEFAULT true;

-- Down Migration
ALTER TABLE rooms DROP COLUMN host_present;
