"""The money path: the intent written before the paid call (double clicks and caps refused in
its transaction), then the API's answer: its id and the spend, a refusal, or an unknown end."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from bot.domain import Generation, Status

from .._time import to_ts
from ..caps import Cap, CapReached, cap_query
from ..db import StorageError, execute, fetchall, fetchone, lock
from ..leases import claim_row
from ..rows import intent_row, to_generation
from ..spend import COUNTED_SQL
from ..usage import increment_usage
from . import rules
from .queue import QUEUE_LOCK, must_wait, queue_counts
from .table import GenerationTable, When

INTERRUPTED = "interrupted before the API answered; outcome unknown"


class DuplicateRequest(StorageError):
    """The request_key was already used: the earlier generation is `existing` (no new credit)."""

    def __init__(self, existing: Generation) -> None:
        super().__init__(f"request already recorded as generation {existing.id}")
        self.existing = existing


def _same_request(gen: Generation, since: float) -> tuple[str, tuple[Any, ...]]:
    # IS matches None with NULL; `=` where a value is given keeps the indexes usable (PostgreSQL
    # reads IS as IS NOT DISTINCT FROM). Requests that spent nothing
    # (and will not) may be asked again; a queued one is a double click's first click.
    identity = rules.request_identity(gen)
    same = " AND ".join(
        f"{column} {'IS' if value is None else '='} ?" for column, value in identity.items()
    )
    return (
        f"SELECT * FROM generations WHERE {same} AND created_at > ? "
        f"AND {COUNTED_SQL} ORDER BY id DESC LIMIT 1",
        (*identity.values(), since),
    )


class GenerationIntents(GenerationTable):
    async def create_intent(
        self,
        gen: Generation,
        request_key: str | None = None,
        *,
        dedupe_within: float = 0,
        caps: Sequence[Cap] = (),
        concurrent: int = 0,
    ) -> Generation:
        """Record the intent (status PENDING) before the API is called; a crash after this
        point is visible at the next start instead of silently losing a spent credit.

        `concurrent`: the guild's cap on generations running at once (0: none). Past it, or
        while others wait, the row is written QUEUED instead: nothing is sent nor spent until
        `dequeue` makes it an intent in its turn (storage/generations/queue.py).

        `dedupe_within` seconds: the same request by the same user in that window (same kind,
        type, parent and source photo) raises DuplicateRequest: a double click spends once.
        `caps` are counted in the same IMMEDIATE transaction: racing clicks cannot both take
        a cap's last unit (CapReached)."""
        now = self._now()
        since = rules.double_click_since(now, dedupe_within)
        async with self._db.write() as conn:
            # Checked inside the write transaction under one lock, so two processes cannot
            # both pass (SQLite: the IMMEDIATE lock; PostgreSQL: an advisory lock).
            await lock(conn, QUEUE_LOCK)
            if request_key is not None:
                row = await fetchone(
                    conn, "SELECT * FROM generations WHERE request_key = ?", (request_key,)
                )
                if row is not None:
                    raise DuplicateRequest(to_generation(row))
            if since is not None:
                row = await fetchone(conn, *_same_request(gen, since))
                if row is not None:
                    raise DuplicateRequest(to_generation(row))
            for cap in caps:
                if cap.reached((await fetchone(conn, *cap_query(cap)))[0]):
                    raise CapReached(cap)
            waits = concurrent > 0 and must_wait(
                concurrent, *await queue_counts(conn, gen.origin.guild_id)
            )
            values = intent_row(gen, request_key, now, queued=waits)
            created = to_generation(
                await fetchone(
                    conn,
                    f"INSERT INTO generations ({', '.join(values)}) "
                    f"VALUES ({', '.join('?' * len(values))}) RETURNING *",
                    tuple(values.values()),
                )
            )
            if not waits:
                # Held while the paid call is in flight: if this process dies, the lease runs
                # out and recover_interrupted() knows the intent's outcome is unknown.
                await claim_row(conn, created.id, self._lease, now)
            return created

    async def recent_duplicate(self, gen: Generation, within: float) -> Generation | None:
        """The same request by the same user in the last `within` seconds, if any."""
        row = await self._db.fetchone(*_same_request(gen, self._now() - within))
        return None if row is None else to_generation(row)

    async def mark_submitted(
        self,
        id: int,
        *,
        generation_id: str,
        project_id: str | None,
        remaining_photos: int | None,
        next_check_at: When,
        status: Status = Status.STARTING,
        webhook_secret: str | None = None,
        count_usage: bool = True,
    ) -> Generation:
        """The API accepted it. Also counts one generation in `usage` for the row's guild
        (0 for the CLI) in the same transaction, so the quota cannot drift from reality."""
        rules.check_submitted_status(status)
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            await claim_row(conn, id, self._lease, self._now())
            now = self._clock()
            fields = rules.submission(
                cur,
                generation_id=generation_id,
                project_id=project_id,
                remaining_photos=remaining_photos,
                next_check_at=to_ts(next_check_at),
                status=status,
                webhook_secret=webhook_secret,
                now=to_ts(now),
            )
            if fields is None:
                return cur  # repeated call: already counted
            if count_usage:
                await increment_usage(conn, cur.origin.guild_id or 0, now)
            # the row knows its id now: a callback's early word on it has served
            await execute(conn, "DELETE FROM pending_callbacks WHERE row_id = ?", (id,))
            return await self._update(conn, id, fields)

    async def mark_unknown(self, id: int, error: str) -> Generation:
        """Outcome unknown (the credit may be spent). Ignored once the API has answered."""
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            if rules.answered(cur.status):
                return cur
            return await self._update(conn, id, {"status": Status.UNKNOWN.value, "error": error})

    async def mark_rejected(self, id: int, error: str) -> Generation:
        """The API refused the request before acting on it: final, and no credit was spent."""
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            if rules.answered(cur.status):
                return cur
            return await self._update(
                conn, id, {"status": Status.REJECTED.value, "error": error, "next_check_at": None}
            )

    async def recover_interrupted(
        self, *, older_than: timedelta | float = 0, exclude: Iterable[int] = ()
    ) -> list[Generation]:
        """PENDING rows (crash between intent and API answer) become UNKNOWN; none is retried.

        `older_than` spares intents another live process (e.g. the CLI) is submitting now;
        `exclude` the ids whose paid call this process is still waiting for. With leases
        (PostgreSQL), an intent whose process let its lease run out (it died) is recovered
        whatever its age.
        """
        age = older_than.total_seconds() if isinstance(older_than, timedelta) else older_than
        now = self._now()
        skip = sorted(set(exclude))
        spared = f"AND id NOT IN ({', '.join('?' * len(skip))}) " if skip else ""
        old = "created_at <= ?"
        params: list[Any] = [now - age]
        if self._db.dialect == "postgres":
            old = "(created_at <= ? OR (lease_owner IS NOT NULL AND lease_until < ?))"
            params.append(now)
        async with self._db.write() as conn:
            rows = await fetchall(
                conn,
                "UPDATE generations SET status = ?, error = ?, updated_at = ? "
                f"WHERE status = ? AND {old} {spared}RETURNING *",
                (Status.UNKNOWN.value, INTERRUPTED, now, Status.PENDING.value, *params, *skip),
            )
        return sorted((to_generation(r) for r in rows), key=lambda g: g.id or 0)
