"""Process-wide key/value facts, e.g. the hash of the last synced slash-command tree."""

from __future__ import annotations

from ._time import Clock, to_ts, utc_now
from .db import Database, execute, fetchone

COMMAND_TREE_HASH = "command_tree_hash"


class MetaRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def get(self, key: str) -> str | None:
        row = await self._db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE "
                "SET value = excluded.value, updated_at = excluded.updated_at",
                (key, value, to_ts(self._clock())),
            )

    async def get_or_create(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (atomic, so two
        processes starting together agree on one value)."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, value, to_ts(self._clock())),
            )
            row = await fetchone(conn, "SELECT value FROM meta WHERE key = ?", (key,))
        return str(row[0])
