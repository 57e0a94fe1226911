-- 0002: how far into the record the latest-states cache is complete.
-- A hub saves the cache every few seconds; after a crash it reloads the cache and replays only
-- the report events after this sequence number.

CREATE TABLE state_mark (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    through_seq  BIGINT NOT NULL
);

-- A database from before this migration was cached every second: start the mark at its head,
-- rather than replaying its whole history at the next start.
INSERT INTO state_mark (id, through_seq) SELECT 1, seq FROM chain_head WHERE id = 1;
