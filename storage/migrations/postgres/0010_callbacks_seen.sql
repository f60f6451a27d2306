-- Twin of ../0010_callbacks_seen.sql: a callback URL was sent; when the first callback came.
ALTER TABLE generations ADD COLUMN callback_sent INTEGER;
ALTER TABLE generations ADD COLUMN callback_at DOUBLE PRECISION;

CREATE INDEX generations_callbacks ON generations(finished_at) WHERE callback_sent = 1;
