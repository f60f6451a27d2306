-- Teams (issue 11). A server's own API credentials, sealed with Fernet under EXTERIOR_SECRET_KEY:
-- the key is never stored in clear. A generation names the set it was started with (NULL = the
-- global credentials), so it is followed with them even after the server changes its key.
CREATE TABLE credential_sets (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    sealed     TEXT NOT NULL,
    key_hint   TEXT NOT NULL,
    created_at REAL NOT NULL
);

ALTER TABLE generations ADD COLUMN credential_set INTEGER REFERENCES credential_sets(id);

-- The requester's language (Discord locale, e.g. `fr`): its cards and result speak it, also
-- when the tracker posts them long after the interaction is gone.
ALTER TABLE generations ADD COLUMN locale TEXT;

-- Limits count a server's (and a member's) spend since a day or month start, inside the
-- intent's transaction: this keeps that count an index range.
CREATE INDEX generations_guild_spend ON generations(guild_id, created_at);
