"""API ids named by webhook callbacks before our own paid call told us (see 0004)."""

from __future__ import annotations

from bot.domain import Generation

from ._time import Clock, to_ts, utc_now
from .db import Database, execute
from .rows import to_generation

# Only rows still waiting for their API id can take one from a callback.
_WAITING = "status IN ('PENDING', 'UNKNOWN') AND generation_id IS NULL"


class PendingCallbackRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def record(self, row_id: int, generation_id: str) -> bool:
        """Keep the id a callback named for `row_id`; the first one wins. False when the row
        no longer waits for an id (or does not exist)."""
        async with self._db.write() as conn:
            changed = await execute(
                conn,
                "INSERT INTO pending_callbacks (row_id, generation_id, received_at) "
                f"SELECT id, ?, ? FROM generations WHERE id = ? AND {_WAITING} "
                "ON CONFLICT (row_id) DO NOTHING",
                (generation_id, to_ts(self._clock()), row_id),
            )
        return changed == 1

    async def get(self, row_id: int) -> str | None:
        row = await self._db.fetchone(
            "SELECT generation_id FROM pending_callbacks WHERE row_id = ?", (row_id,)
        )
        return None if row is None else str(row[0])

    async def discard(self, row_id: int) -> None:
        async with self._db.write() as conn:
            await execute(conn, "DELETE FROM pending_callbacks WHERE row_id = ?", (row_id,))

    async def waiting(self) -> list[tuple[Generation, str]]:
        """Rows still without an API id that a callback named one for, oldest first."""
        rows = await self._db.fetchall(
            "SELECT g.*, p.generation_id AS named_id FROM pending_callbacks p "
            "JOIN generations g ON g.id = p.row_id "
            "WHERE g.status IN ('PENDING', 'UNKNOWN') AND g.generation_id IS NULL "
            "ORDER BY p.row_id"
        )
        return [(to_generation(r), str(r["named_id"])) for r in rows]
