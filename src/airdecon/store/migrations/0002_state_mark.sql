-- 0002: how far into the record the latest-states cache is complete.
-- A hub saves the cache every few seconds; after a crash it reloads the cache and replays only
-- the report events after this sequence number.

CREATE TABLE state_mark (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    through_seq  BIGINT NOT NULL
);

INSERT INTO state_mark (id, through_seq) VALUES (1, 0);
