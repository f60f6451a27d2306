-- Placeholder on the `studio` branch only: migration numbers must run 1..N without gaps and
-- 0004 belongs to another branch. When that branch is merged, delete this file (its real 0004
-- replaces it); nothing here changes the schema.
SELECT 1;
