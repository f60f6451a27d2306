-- Twin of ../0004_pending_callbacks.sql: the API id a callback named for a row still waiting for
-- its paid call's answer, kept so a crash (or another process) cannot lose a spent credit.
CREATE TABLE pending_callbacks (
    row_id        BIGINT PRIMARY KEY REFERENCES generations(id) ON DELETE CASCADE,
    generation_id TEXT NOT NULL,
    received_at   DOUBLE PRECISION NOT NULL
);
