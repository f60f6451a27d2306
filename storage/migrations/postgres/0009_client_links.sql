-- Twin of ../0009_client_links.sql: signed client links to one design's family, and the bot's
-- own copies of its pictures.
CREATE TABLE client_links (
    id             TEXT PRIMARY KEY,
    guild_id       BIGINT NOT NULL,
    generation_id  BIGINT NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    root_id        BIGINT NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    created_by     BIGINT NOT NULL,
    server_name    TEXT,
    locale         TEXT,
    created_at     DOUBLE PRECISION NOT NULL,
    expires_at     DOUBLE PRECISION NOT NULL,
    revoked_at     DOUBLE PRECISION,
    opened_count   INTEGER NOT NULL DEFAULT 0,
    last_opened_at DOUBLE PRECISION
);

CREATE INDEX client_links_generation ON client_links(generation_id, created_by);
CREATE INDEX client_links_guild ON client_links(guild_id);

CREATE TABLE client_copies (
    key           TEXT PRIMARY KEY,
    root_id       BIGINT NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    generation_id BIGINT NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
    data          BYTEA NOT NULL,
    created_at    DOUBLE PRECISION NOT NULL,
    UNIQUE (generation_id, kind, position)
);

CREATE INDEX client_copies_root ON client_copies(root_id);
