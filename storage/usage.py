"""Per-guild daily generation counts (guild 0 is the CLI), for quotas and /usage."""

from __future__ import annotations

from datetime import date, datetime

import aiosqlite

from ._time import Clock, day_of, utc_now
from .db import Database, execute

Day = datetime | date | str


async def increment_usage(conn: aiosqlite.Connection, guild_id: int, when: Day, n: int = 1) -> None:
    """Count `n` generations on `when`'s UTC day, inside the caller's open transaction."""
    await execute(
        conn,
        "INSERT INTO usage (guild_id, day, generations) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id, day) DO UPDATE "
        "SET generations = usage.generations + excluded.generations",
        (guild_id, day_of(when), n),
    )


class UsageRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def record(self, guild_id: int | None, when: Day | None = None, n: int = 1) -> None:
        """Standalone counter; GenerationIntents.mark_submitted already counts submissions."""
        async with self._db.write() as conn:
            await increment_usage(conn, guild_id or 0, when or self._clock(), n)

    async def spent(self, guild_id: int | None, since_day: Day, until_day: Day) -> int:
        """Generations counted for the guild between both UTC days, inclusive."""
        row = await self._db.fetchone(
            "SELECT coalesce(sum(generations), 0) FROM usage "
            "WHERE guild_id = ? AND day BETWEEN ? AND ?",
            (guild_id or 0, day_of(since_day), day_of(until_day)),
        )
        return int(row[0])

    async def latest_remaining_photos(self) -> int | None:
        """The API's remaining credit as reported by the most recent submission, if any."""
        row = await self._db.fetchone(
            "SELECT remaining_photos FROM generations WHERE remaining_photos IS NOT NULL "
            "ORDER BY id DESC LIMIT 1"
        )
        return None if row is None else int(row[0])
