-- Twin of ../0002_meta_and_indexes.sql.
CREATE TABLE meta (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);

CREATE INDEX generations_next_check ON generations(next_check_at)
    WHERE status IN ('STARTING', 'PROCESSING');

CREATE INDEX generations_channel ON generations(channel_id, id);
