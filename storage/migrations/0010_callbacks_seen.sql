-- Whether the paid call gave the API a callback URL, and when the first genuine callback for
-- the generation came. A callback is a hint, never a promise: the tracker trusts callbacks only
-- while recent generations show them arriving (bot/tracking/health.py), and `doctor` says so
-- when they stopped.
ALTER TABLE generations ADD COLUMN callback_sent INTEGER;
ALTER TABLE generations ADD COLUMN callback_at REAL;

-- The latest finished generations that asked for a callback, newest first.
CREATE INDEX generations_callbacks ON generations(finished_at) WHERE callback_sent = 1;
