-- Twin of ../0008_queue.sql: QUEUED generations wait, in id order, for a free slot of their
-- server's cap; queued_at is when they joined the queue.
ALTER TABLE generations ADD COLUMN queued_at DOUBLE PRECISION;

CREATE INDEX generations_queue ON generations(guild_id, id) WHERE status = 'QUEUED';
