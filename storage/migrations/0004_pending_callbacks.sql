-- The API id a webhook callback named for a generation whose paid call had not answered yet
-- (PENDING) or never will (UNKNOWN). Kept on disk so a crash cannot lose a spent credit's
-- result: recovery adopts it once the API's `get` confirms it. Gone once the row has its id.
CREATE TABLE pending_callbacks (
    row_id        INTEGER PRIMARY KEY REFERENCES generations(id) ON DELETE CASCADE,
    generation_id TEXT NOT NULL,
    received_at   REAL NOT NULL
);
