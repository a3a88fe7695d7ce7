-- Up Migration
-- The relay deletes what it published instead of marking it: marking was an update that
-- rewrote every index entry of the row (its column is in the partial index's predicate), and
-- the table now holds only unsent events, so the relay reads it by primary key. Kafka is the log.
DELETE FROM outbox WHERE sent_at IS NOT NULL;
DROP INDEX outbox_unsent;
ALTER TABLE outbox DROP COLUMN sent_at;

-- Down Migration
ALTER TABLE outbox ADD COLUMN sent_at timestamptz;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
