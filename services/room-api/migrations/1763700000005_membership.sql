-- Up Migration
-- Membership that holds (issue 13).
-- epoch: the seq of the member.joined event that began the current membership. Tickets carry it;
--   realtime refuses a ticket whose membership a later member.left ended or a later join replaced.
-- left_reason: why the membership ended; 'banned' keeps the invite from admitting them again.
-- muted: the host muted them in chat (realtime refuses their chat.send with RT_MUTED).
-- offline_since: when realtime last counted out their last connection (or when they joined, before
--   any); the host hand-over passes the role on once the host has been offline for HOST_GRACE_MS.
ALTER TABLE room_members
  ADD COLUMN epoch bigint NOT NULL DEFAULT 0,
  ADD COLUMN left_reason text CHECK (left_reason IN ('left', 'removed', 'banned')),
  ADD COLUMN muted boolean NOT NULL DEFAULT false,
  ADD COLUMN offline_since timestamptz;
UPDATE room_members SET offline_since = joined_at WHERE NOT online;
ALTER TABLE room_members ALTER COLUMN offline_since SET DEFAULT clock_timestamp();
ALTER TABLE room_members ADD CONSTRAINT room_members_left_reason CHECK (left_at IS NOT NULL OR left_reason IS NULL);
-- The host hand-over sweep: present hosts who are offline.
CREATE INDEX room_members_absent_host ON room_members (offline_since) WHERE role = 'host' AND left_at IS NULL AND NOT online;

-- Down Migration
DROP INDEX room_members_absent_host;
ALTER TABLE room_members DROP CONSTRAINT room_members_left_reason;
ALTER TABLE room_members DROP COLUMN offline_since, DROP COLUMN muted, DROP COLUMN left_reason, DROP COLUMN epoch;
