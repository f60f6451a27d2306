"""The queue: generations accepted past their server's cap on work running at once.

A queued row is QUEUED: nothing was sent, nothing spent. Its turn comes in id order; `dequeue`
turns the first one into an ordinary intent (PENDING, its lease taken, `created_at` reset to
now) inside the same lock as `create_intent`, after counting what runs, so two processes can
never start two for one free slot. From there the money path is the usual one.
"""

from __future__ import annotations

from typing import Any

from bot.domain import Generation

from ..db import execute, fetchone, lock
from ..leases import claim_row
from ..rows import to_generation
from .table import GenerationTable

# Counted against the cap: the API is working on it, or its paid call is in flight. UNKNOWN and
# TIMED_OUT ones are not: nobody knows if they run, and they would hold a slot for ever.
RUNNING = "status IN ('PENDING', 'STARTING', 'PROCESSING')"
QUEUED = "status = 'QUEUED'"  # literal so the partial index of 0008 applies
# Taken by create_intent and dequeue alike: whether a request waits, and which starts, is
# decided by one writer at a time (SQLite: the IMMEDIATE lock; PostgreSQL: an advisory lock).
QUEUE_LOCK = "intents"


async def queue_counts(conn: Any, guild_id: int | None) -> tuple[int, int]:
    """(running, queued) in the guild, inside the caller's transaction."""
    row = await fetchone(
        conn,
        f"SELECT sum(CASE WHEN {RUNNING} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {QUEUED} THEN 1 ELSE 0 END) "
        f"FROM generations WHERE guild_id IS ? AND ({RUNNING} OR {QUEUED})",
        (guild_id,),
    )
    return int(row[0] or 0), int(row[1] or 0)


def must_wait(cap: int, running: int, queued: int) -> bool:
    """A new request waits when the cap is full, or when others already wait (no jumping)."""
    return cap > 0 and (running >= cap or queued > 0)


class GenerationQueue(GenerationTable):
    async def dequeue(self, guild_id: int, cap: int) -> Generation | None:
        """The guild's first queued generation, now its intent (PENDING, lease held), when a
        slot is free (`cap` 0: no cap); None when nothing may start. Exactly one caller gets
        a given row: the count and the conditional UPDATE share one locked transaction."""
        async with self._db.write() as conn:
            await lock(conn, QUEUE_LOCK)
            running, queued = await queue_counts(conn, guild_id)
            now = self._now()  # after the count: later than the end that freed the slot
            if not queued or (cap > 0 and running >= cap):
                return None
            first = await fetchone(
                conn,
                f"SELECT id FROM generations WHERE guild_id = ? AND {QUEUED} ORDER BY id LIMIT 1",
                (guild_id,),
            )
            row = await fetchone(
                conn,
                "UPDATE generations SET status = 'PENDING', created_at = ?, updated_at = ? "
                f"WHERE id = ? AND {QUEUED} RETURNING *",
                (now, now, first[0]),
            )
            if row is None:
                return None
            # Held while the paid call is in flight, as create_intent does for a direct one.
            await claim_row(conn, row["id"], self._lease, now)
            return to_generation(row)

    async def back_in_queue(self, id: int) -> bool:
        """A dequeued generation whose paid call was certainly never made (stopped before it):
        QUEUED again, in its place. False when it moved on meanwhile."""
        async with self._db.write() as conn:
            return (
                await execute(
                    conn,
                    "UPDATE generations SET status = 'QUEUED', updated_at = ? "
                    "WHERE id = ? AND status = 'PENDING' AND generation_id IS NULL "
                    "AND queued_at IS NOT NULL",
                    (self._now(), id),
                )
                == 1
            )

    async def cancel_queued(self, id: int) -> Generation | None:
        """QUEUED -> CANCELLED (nothing spent, never sent); None when it is no longer queued
        (it started, or was cancelled already)."""
        now = self._now()
        async with self._db.write() as conn:
            row = await fetchone(
                conn,
                "UPDATE generations SET status = 'CANCELLED', finished_at = ?, updated_at = ? "
                f"WHERE id = ? AND {QUEUED} RETURNING *",
                (now, now, id),
            )
        return None if row is None else to_generation(row)

    async def queued_in(self, guild_id: int) -> list[Generation]:
        """The guild's queue, first in line first."""
        rows = await self._db.fetchall(
            f"SELECT * FROM generations WHERE guild_id = ? AND {QUEUED} ORDER BY id", (guild_id,)
        )
        return [to_generation(r) for r in rows]

    async def running_in(self, guild_id: int) -> list[Generation]:
        """What holds the guild's slots now, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT * FROM generations WHERE guild_id = ? AND {RUNNING} ORDER BY id",
            (guild_id,),
        )
        return [to_generation(r) for r in rows]

    async def queued_guilds(self) -> list[int]:
        """Guilds with a queue."""
        rows = await self._db.fetchall(
            f"SELECT DISTINCT guild_id FROM generations WHERE {QUEUED} ORDER BY 1"
        )
        return [int(r[0]) for r in rows if r[0] is not None]
