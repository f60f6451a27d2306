-- Drafts: a photo and a mask waiting for the user's "Generate" (a private preview in Discord,
-- or the mask studio in a browser). Nothing is spent while a draft is OPEN; it is claimed
-- (USED) exactly once, or CANCELLED. Photo and mask are kept here so a draft survives restarts.
CREATE TABLE drafts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    parent_id     INTEGER REFERENCES generations(id) ON DELETE CASCADE,
    guild_id      INTEGER,
    channel_id    INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    user_name     TEXT,
    room_type     TEXT NOT NULL,
    source        TEXT NOT NULL,
    photo         BLOB NOT NULL,
    photo_name    TEXT NOT NULL,
    photo_sha256  TEXT NOT NULL,
    mask          BLOB NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'OPEN',
    created_at    REAL NOT NULL,
    expires_at    REAL NOT NULL,
    claimed_at    REAL,
    claimed_by    TEXT
);

-- Old drafts are purged (their pictures are large) by age.
CREATE INDEX drafts_created ON drafts(created_at);
