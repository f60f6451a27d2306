-- The queue (issue 22): past a server's cap on generations running at once, a request is kept
-- as QUEUED (nothing sent, nothing spent) and started in order, by id, when a slot frees.
-- queued_at: when it joined the queue (NULL: it started at once); created_at is reset to the
-- moment its intent is written, at the start, so durations and recovery count from there.
ALTER TABLE generations ADD COLUMN queued_at REAL;

-- Each server's queue in order, and the servers that have one.
CREATE INDEX generations_queue ON generations(guild_id, id) WHERE status = 'QUEUED';
