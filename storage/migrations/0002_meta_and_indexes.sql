-- Key/value store for process-wide facts, e.g. the hash of the synced slash-command tree
-- (so the bot only re-syncs commands when they changed).
CREATE TABLE meta (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at REAL NOT NULL
);

-- The tracker repeatedly asks "what is due next" among live generations only.
CREATE INDEX generations_next_check ON generations(next_check_at)
    WHERE status IN ('STARTING', 'PROCESSING');

-- /history pages one channel newest first.
CREATE INDEX generations_channel ON generations(channel_id, id);
