"""Generations, read side: lookups, the tracker's and the sweep's queues, channel pages, families
and learnt durations."""

from __future__ import annotations

from typing import Any

from bot.domain import Generation, Kind, RoomType

from .._time import to_ts
from ..rows import to_generation
from .table import GenerationTable, When

LIVE = "('STARTING', 'PROCESSING')"  # literal so the partial index of 0002 applies


class GenerationReads(GenerationTable):
    async def get(self, id: int) -> Generation | None:
        return await self._one("SELECT * FROM generations WHERE id = ?", (id,))

    async def by_generation_id(self, api_id: str) -> Generation | None:
        return await self._one("SELECT * FROM generations WHERE generation_id = ?", (api_id,))

    async def stored_callback_secrets(self) -> dict[int, str]:
        """Per-row callback secrets stored by earlier versions, for rows a callback may still
        concern (not finished)."""
        rows = await self._db.fetchall(
            "SELECT id, webhook_secret FROM generations WHERE webhook_secret IS NOT NULL "
            "AND status NOT IN ('SUCCEEDED', 'FAILED', 'REJECTED')"
        )
        return {int(r[0]): str(r[1]) for r in rows}

    async def by_request_key(self, key: str) -> Generation | None:
        return await self._one("SELECT * FROM generations WHERE request_key = ?", (key,))

    async def pending(
        self, limit: int | None = None, *, due_before: When = None
    ) -> list[Generation]:
        """Submitted, still live (STARTING/PROCESSING) generations, soonest check first.
        TIMED_OUT is excluded: the tracker stopped watching it (webhooks may still land)."""
        sql = f"SELECT * FROM generations WHERE generation_id IS NOT NULL AND status IN {LIVE}"
        params: list[Any] = []
        if due_before is not None:
            sql += " AND (next_check_at IS NULL OR next_check_at <= ?)"
            params.append(to_ts(due_before))
        sql += " ORDER BY next_check_at NULLS FIRST, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [to_generation(r) for r in await self._db.fetchall(sql, params)]

    async def undelivered(self, limit: int = 100) -> list[Generation]:
        """Finished Discord generations whose outcome was never recorded as posted."""
        rows = await self._db.fetchall(
            "SELECT * FROM generations WHERE origin_source = 'discord' "
            "AND status IN ('SUCCEEDED', 'FAILED') AND result_message_id IS NULL "
            "AND channel_id IS NOT NULL ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [to_generation(r) for r in rows]

    async def recent_durations(
        self, room_type: RoomType, kind: Kind, limit: int = 40
    ) -> list[tuple[float, float]]:
        """(low, high] bounds of how long the latest SUCCEEDED generations took, in seconds
        from intent to end, newest first: low from `ended_after` (0 if never seen unfinished),
        high from `finished_at` (when the end was first seen)."""
        rows = await self._db.fetchall(
            # min(ended_after, finished_at) - created_at, or 0 when never seen unfinished;
            # spelt with CASE, which both backends know (SQLite's two-argument min is its own).
            "SELECT CASE WHEN ended_after IS NULL THEN 0 "
            "WHEN ended_after < finished_at THEN ended_after - created_at "
            "ELSE finished_at - created_at END, "
            "finished_at - created_at FROM generations "
            "WHERE room_type = ? AND kind = ? AND status = 'SUCCEEDED' AND finished_at IS NOT NULL "
            "ORDER BY finished_at DESC LIMIT ?",
            (RoomType(room_type).value, Kind(kind).value, limit),
        )
        return [(max(0.0, float(r[0])), float(r[1])) for r in rows]

    async def callback_outcomes(self, limit: int = 3) -> list[bool]:
        """For the latest finished generations that gave the API a callback URL, newest
        first: did a callback arrive for it?"""
        rows = await self._db.fetchall(
            "SELECT callback_at FROM generations WHERE callback_sent = 1 "
            "AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
            (limit,),
        )
        return [r[0] is not None for r in rows]

    async def list_channel(
        self, channel_id: int, *, offset: int = 0, limit: int = 10
    ) -> list[Generation]:
        rows = await self._db.fetchall(
            "SELECT * FROM generations WHERE channel_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (channel_id, limit, offset),
        )
        return [to_generation(r) for r in rows]

    async def count_channel(self, channel_id: int) -> int:
        row = await self._db.fetchone(
            "SELECT count(*) FROM generations WHERE channel_id = ?", (channel_id,)
        )
        return int(row[0])

    async def children(self, id: int) -> list[Generation]:
        rows = await self._db.fetchall(
            "SELECT * FROM generations WHERE parent_id = ? ORDER BY id", (id,)
        )
        return [to_generation(r) for r in rows]

    async def _one(self, sql: str, params: tuple[Any, ...]) -> Generation | None:
        row = await self._db.fetchone(sql, params)
        return None if row is None else to_generation(row)
