"""Leases: which process follows, records and posts a generation when several share a database.

PostgreSQL: a process claims live (and finished-but-unposted) generations with `SELECT … FOR
UPDATE SKIP LOCKED`, stamping `lease_owner` and `lease_until`; it renews its leases while it
runs, so a process that dies loses them after `seconds` and another one claims them. Writes
through `GenerationRepository` check the lease (see `claim_row`): a process whose lease was
taken over records nothing. A webhook callback that reaches any process is written to the row
(`next_check_at = now`) and NOTIFYed; the holder LISTENs and acts on it at once (`due_mine` at
each renewal is only the safety net for a notification missed while reconnecting).

SQLite: one process owns everything; the same interface, with nothing to claim or renew.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.domain import Generation

from ._time import Clock, to_ts, utc_now
from .db import StorageError, execute, fetchone
from .rows import to_generation

_LIVE = "status IN ('STARTING', 'PROCESSING')"
HINTS_CHANNEL = "exterior_hints"  # NOTIFY payload: the row id a callback came for
_UNDELIVERED = (
    "origin_source = 'discord' AND status IN ('SUCCEEDED', 'FAILED') "
    "AND result_message_id IS NULL AND channel_id IS NOT NULL"
)
# Rows a process keeps while it works on them: its intents in flight, what it follows, what it
# has still to post. TIMED_OUT and UNKNOWN ones are let go (whoever acts next claims them).
_HELD = f"(status IN ('PENDING', 'STARTING', 'PROCESSING') OR ({_UNDELIVERED}))"


class LeaseLost(StorageError):
    """Another process holds this generation's lease: this one must not record or post it."""


@dataclass(frozen=True)
class Lease:
    owner: str  # unique per process start
    seconds: float = 30.0


def shared(db: Any) -> bool:
    return getattr(db, "dialect", "sqlite") == "postgres"


async def claim_row(conn: Any, row_id: int, lease: Lease | None, now: float) -> None:
    """Inside a write that locked the row: take (or keep) its lease, or raise LeaseLost."""
    if lease is None or getattr(conn, "dialect", "sqlite") != "postgres":
        return
    row = await fetchone(
        conn, "SELECT lease_owner, lease_until FROM generations WHERE id = ?", (row_id,)
    )
    if row is None:
        return
    owner, until = row[0], row[1]
    if owner not in (None, lease.owner) and until is not None and until > now:
        raise LeaseLost(f"generation {row_id} is held by another process")
    await execute(
        conn,
        "UPDATE generations SET lease_owner = ?, lease_until = ? WHERE id = ?",
        (lease.owner, now + lease.seconds, row_id),
    )


async def release_row(conn: Any, row_id: int, lease: Lease | None) -> None:
    if lease is not None and getattr(conn, "dialect", "sqlite") == "postgres":
        await execute(
            conn,
            "UPDATE generations SET lease_owner = NULL, lease_until = NULL "
            "WHERE id = ? AND lease_owner = ?",
            (row_id, lease.owner),
        )


class Leases:
    """The lease operations the tracker and the delivery sweep use; trivial on SQLite."""

    def __init__(self, db: Any, lease: Lease, *, clock: Clock = utc_now) -> None:
        self._db = db
        self.lease = lease
        self._clock = clock
        self.shared = shared(db)  # True when other processes may hold leases too

    def _now(self) -> float:
        return to_ts(self._clock())

    async def claim_live(self, limit: int = 200) -> list[Generation]:
        """Live generations nobody (alive) follows, now followed by this process."""
        if not self.shared:
            rows = await self._db.fetchall(
                f"SELECT * FROM generations WHERE generation_id IS NOT NULL AND {_LIVE} "
                "ORDER BY next_check_at NULLS FIRST, id LIMIT ?",
                (limit,),
            )
            return [to_generation(r) for r in rows]
        return await self._claim(
            f"generation_id IS NOT NULL AND {_LIVE}", "next_check_at NULLS FIRST, id", limit
        )

    async def claim_undelivered(self, limit: int = 100) -> list[Generation]:
        """Finished Discord generations never recorded as posted, that this process may post."""
        if not self.shared:
            rows = await self._db.fetchall(
                f"SELECT * FROM generations WHERE {_UNDELIVERED} ORDER BY id DESC LIMIT ?",
                (limit,),
            )
            return [to_generation(r) for r in rows]
        return await self._claim(_UNDELIVERED, "id DESC", limit, mine_too=True)

    async def _claim(
        self, where: str, order: str, limit: int, *, mine_too: bool = False
    ) -> list[Generation]:
        now = self._now()
        free = "lease_owner IS NULL OR lease_until < ?"
        params: list[Any] = [self.lease.owner, now + self.lease.seconds, now]
        if mine_too:
            free += " OR lease_owner = ?"
            params.append(self.lease.owner)
        async with self._db.write(durable=False) as conn:  # a lost claim is claimed again
            rows = await conn.fetchall(
                "UPDATE generations SET lease_owner = ?, lease_until = ? WHERE id IN ("
                f"SELECT id FROM generations WHERE {where} AND ({free}) "
                f"ORDER BY {order} LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING *",
                (*params, limit),
            )
        return [to_generation(r) for r in rows]

    async def renew(self) -> int:
        """Extend every lease this process holds on rows it still works on."""
        if not self.shared:
            return 0
        now = self._now()
        async with self._db.write(durable=False) as conn:  # a lost renewal: renewed next tick
            return await execute(
                conn,
                f"UPDATE generations SET lease_until = ? WHERE lease_owner = ? AND {_HELD}",
                (now + self.lease.seconds, self.lease.owner),
            )

    async def hint(self, row_id: int) -> None:
        """A callback for a generation another process may follow: make it due now in the
        database and NOTIFY every process (its lease holder acts at once, see `listen`; one
        that takes it over later finds it due). On a PENDING row (the callback beat the paid
        call's answer) it is kept for `mark_submitted`."""
        if not self.shared:
            return
        async with self._db.write(durable=False) as conn:
            await execute(
                conn,
                "UPDATE generations SET next_check_at = ? WHERE id = ? "
                "AND status IN ('PENDING', 'STARTING', 'PROCESSING')",
                (self._now(), row_id),
            )
            # delivered at commit, so a listener never reads the row before the hint is in it
            await conn.execute("SELECT pg_notify(?, ?)", (HINTS_CHANNEL, str(row_id)))

    async def listen(self, on_row: Callable[[int], None]) -> Callable[[], Awaitable[None]] | None:
        """Call `on_row(row_id)` for every hint any process writes (PostgreSQL LISTEN on its
        own connection); returns the function that stops listening, or None on SQLite (one
        process: its callbacks hint its own tracker directly)."""
        if not self.shared:
            return None

        def deliver(payload: str) -> None:
            if payload.isdigit():
                on_row(int(payload))

        return await self._db.listen(HINTS_CHANNEL, deliver)

    def listening(self) -> bool:
        """The LISTEN connection is still open (always True where nothing is shared)."""
        return not self.shared or self._db.listening()

    async def due_mine(self) -> list[int]:
        """Rows this process follows whose check the database says is due (callbacks that
        reached another process)."""
        if not self.shared:
            return []
        rows = await self._db.fetchall(
            f"SELECT id FROM generations WHERE lease_owner = ? AND {_LIVE} AND next_check_at <= ?",
            (self.lease.owner, self._now()),
        )
        return [int(r[0]) for r in rows]

    async def release_all(self) -> None:
        """At a clean stop: let the other processes take over at once."""
        if not self.shared:
            return
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE generations SET lease_owner = NULL, lease_until = NULL "
                "WHERE lease_owner = ?",
                (self.lease.owner,),
            )
