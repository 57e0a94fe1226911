-- 0001: parties, credentials, the hash-chained event log, checkpoints, latest aircraft states.
-- One file for SQLite and PostgreSQL: only types both understand (TEXT, BIGINT, INTEGER,
-- DOUBLE PRECISION); no AUTOINCREMENT/SERIAL (the store assigns sequence numbers itself, under
-- its write lock); JSON is stored as canonical TEXT in both (never JSONB, which would re-encode
-- numbers and key order that the audit chain hashes).

CREATE TABLE parties (
    name        TEXT PRIMARY KEY,
    created_at  DOUBLE PRECISION NOT NULL
);

CREATE TABLE tokens (
    token_id      TEXT PRIMARY KEY,
    party         TEXT NOT NULL REFERENCES parties (name),
    token_sha256  TEXT NOT NULL UNIQUE,
    issued_at     DOUBLE PRECISION NOT NULL,
    revoked_at    DOUBLE PRECISION
);

CREATE TABLE events (
    seq              BIGINT PRIMARY KEY,
    at               DOUBLE PRECISION NOT NULL,
    kind             TEXT NOT NULL,
    origin           TEXT NOT NULL,
    audience         TEXT NOT NULL,
    payload          TEXT NOT NULL,
    idempotency_key  TEXT,
    hash             TEXT NOT NULL
);

CREATE UNIQUE INDEX events_idempotency ON events (origin, idempotency_key);

CREATE INDEX events_at ON events (at);

-- Who may read each event: one row per party, or one row with party '*' for everyone.
-- An index for "events after N visible to P"; the chain hashes events.audience, and readers
-- re-check it, so this table can hide an event but never leak one.
CREATE TABLE event_audience (
    party  TEXT NOT NULL,
    seq    BIGINT NOT NULL,
    PRIMARY KEY (party, seq)
);

-- The last entry: the row every append locks, and a cross-check against deletions at the end.
CREATE TABLE chain_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);

INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE checkpoints (
    seq        BIGINT PRIMARY KEY,
    hash       TEXT NOT NULL,
    at         DOUBLE PRECISION NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL
);

CREATE TABLE aircraft (
    aircraft_id  TEXT PRIMARY KEY,
    party        TEXT NOT NULL,
    t            DOUBLE PRECISION NOT NULL,
    lat_deg      DOUBLE PRECISION NOT NULL,
    lon_deg      DOUBLE PRECISION NOT NULL,
    alt_m        DOUBLE PRECISION NOT NULL,
    gs_mps       DOUBLE PRECISION NOT NULL,
    trk_deg      DOUBLE PRECISION NOT NULL,
    vs_mps       DOUBLE PRECISION NOT NULL,
    extra        TEXT NOT NULL
);

CREATE INDEX aircraft_party ON aircraft (party);
