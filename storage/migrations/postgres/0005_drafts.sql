-- Twin of ../0005_drafts.sql: photo and mask waiting for "Generate", claimed at most once.
CREATE TABLE drafts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    parent_id     BIGINT REFERENCES generations(id) ON DELETE CASCADE,
    guild_id      BIGINT,
    channel_id    BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    user_name     TEXT,
    room_type     TEXT NOT NULL,
    source        TEXT NOT NULL,
    photo         BYTEA NOT NULL,
    photo_name    TEXT NOT NULL,
    photo_sha256  TEXT NOT NULL,
    mask          BYTEA NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'OPEN',
    created_at    DOUBLE PRECISION NOT NULL,
    expires_at    DOUBLE PRECISION NOT NULL,
    claimed_at    DOUBLE PRECISION,
    claimed_by    TEXT
);

CREATE INDEX drafts_created ON drafts(created_at);
