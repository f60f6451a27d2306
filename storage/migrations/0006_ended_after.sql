-- The tracker learns how long generations take from what its checks saw: the end lies after
-- the last check that found the generation unfinished (or shortly before a callback) and no
-- later than finished_at, the first check that found it done. Unix seconds; NULL = never seen
-- unfinished, so only an upper bound is known.
ALTER TABLE generations ADD COLUMN ended_after REAL;
