"""The `generations` table as every part writes it: one row locked, changed and returned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain import Generation

from .._time import Clock, to_ts, utc_now
from ..db import Database, StorageError, fetchone, for_update
from ..leases import Lease
from ..rows import to_generation

When = datetime | float | None


class GenerationNotFound(StorageError, LookupError):
    pass


class GenerationTable:
    """What the parts (intents, checks, delivery, reads) share: the database, the clock and
    this process's lease."""

    def __init__(self, db: Database, *, clock: Clock = utc_now, lease: Lease | None = None) -> None:
        self._db = db
        self._clock = clock  # injectable so tests can control durations
        # This process's lease (storage/leases.py): with PostgreSQL, intents, submissions and
        # checks are written only by the process holding the row's lease.
        self._lease = lease

    def _now(self) -> float:
        return to_ts(self._clock())

    async def _locked_row(self, conn: Any, id: int) -> Any:
        # Locked until the transaction ends: read-modify-write stays atomic across processes.
        sql = "SELECT * FROM generations WHERE id = ?" + for_update(conn)
        row = await fetchone(conn, sql, (id,))
        if row is None:
            raise GenerationNotFound(f"no generation with id {id}")
        return row

    async def _load(self, conn: Any, id: int) -> Generation:
        return to_generation(await self._locked_row(conn, id))

    async def _update(self, conn: Any, id: int, fields: Mapping[str, Any]) -> Generation:
        # Column names come from this package only, never from callers' strings.
        values = {**fields, "updated_at": self._now()}
        assignments = ", ".join(f"{column} = ?" for column in values)
        row = await fetchone(
            conn,
            f"UPDATE generations SET {assignments} WHERE id = ? RETURNING *",
            (*values.values(), id),
        )
        if row is None:
            raise GenerationNotFound(f"no generation with id {id}")
        return to_generation(row)

    async def _set(self, id: int, *, durable: bool = True, **fields: Any) -> Generation:
        async with self._db.write(durable=durable) as conn:
            return await self._update(conn, id, fields)
