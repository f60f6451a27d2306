-- Initial schema. Times are unix seconds (REAL, UTC) so durations are plain subtraction.
-- No CHECK constraints on enum-like columns: SQLite cannot alter a CHECK without rebuilding
-- the table, and new room types / statuses must not need a rebuild. bot.domain validates them.
-- Every statement ends with ';' at the end of a line: storage.db splits on that.

CREATE TABLE generations (
    id                INTEGER PRIMARY KEY,
    generation_id     TEXT UNIQUE,
    project_id        TEXT,
    parent_id         INTEGER REFERENCES generations(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL,
    room_type         TEXT NOT NULL,
    status            TEXT NOT NULL,
    origin_source     TEXT NOT NULL DEFAULT 'cli',
    guild_id          INTEGER,
    channel_id        INTEGER,
    user_id           INTEGER,
    user_name         TEXT,
    photo_url         TEXT,
    mask_url          TEXT,
    source_channel_id INTEGER,
    source_message_id INTEGER,
    width             INTEGER,
    height            INTEGER,
    result_urls       TEXT NOT NULL DEFAULT '[]',
    variation_number  INTEGER,
    remaining_photos  INTEGER,
    error             TEXT,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL,
    finished_at       REAL,
    next_check_at     REAL,
    check_count       INTEGER NOT NULL DEFAULT 0,
    card_message_id   INTEGER,
    result_message_id INTEGER,
    webhook_secret    TEXT,
    request_key       TEXT UNIQUE
);

-- Foreign keys are not indexed automatically; children() needs this one.
CREATE INDEX generations_parent ON generations(parent_id);

-- recover_interrupted() scans by status at every start.
CREATE INDEX generations_status ON generations(status);

-- Durations history for the tracker's estimate, per (room_type, kind), newest first.
CREATE INDEX generations_durations ON generations(room_type, kind, status, finished_at);

CREATE TABLE guild_settings (
    guild_id   INTEGER PRIMARY KEY,
    settings   TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);

-- One row per guild and UTC day; guild_id 0 is the CLI.
CREATE TABLE usage (
    guild_id    INTEGER NOT NULL,
    day         TEXT NOT NULL,
    generations INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day)
) WITHOUT ROWID;
