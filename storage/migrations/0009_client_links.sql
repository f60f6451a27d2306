-- Client pages (issue 22): a signed link shows one design's family to someone outside Discord.
-- A link names the generation it was made for and the family's original (root_id); it can be
-- revoked, it expires, and its openings are counted.
CREATE TABLE client_links (
    id             TEXT PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    generation_id  INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    root_id        INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    created_by     INTEGER NOT NULL,
    server_name    TEXT,
    locale         TEXT,
    created_at     REAL NOT NULL,
    expires_at     REAL NOT NULL,
    revoked_at     REAL,
    opened_count   INTEGER NOT NULL DEFAULT 0,
    last_opened_at REAL
);

CREATE INDEX client_links_generation ON client_links(generation_id, created_by);
CREATE INDEX client_links_guild ON client_links(guild_id);

-- The bot's own copies of a family's pictures (the original photo, every result), served to
-- client pages: never a redirect to Discord's CDN or the API's hosts. `key` is what the page
-- asks for (opaque); a copy is served only to a link of the same family (root_id).
CREATE TABLE client_copies (
    key           TEXT PRIMARY KEY,
    root_id       INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    generation_id INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
    data          BLOB NOT NULL,
    created_at    REAL NOT NULL,
    UNIQUE (generation_id, kind, position)
);

CREATE INDEX client_copies_root ON client_copies(root_id);
