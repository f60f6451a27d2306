"""Generations: the write-ahead intent, API submission, monotonic status and Discord messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import aiosqlite

from bot.domain import Generation, Kind, RoomType, Status

from ._time import Clock, from_ts, to_ts, utc_now
from .caps import Cap, CapReached, cap_query
from .db import Database, StorageError, execute, fetchall, fetchone, for_update, lock
from .generation_reads import GenerationReads, When
from .leases import Lease, claim_row, release_row
from .rows import intent_row, to_generation
from .usage import increment_usage

INTERRUPTED = "interrupted before the API answered; outcome unknown"


class GenerationNotFound(StorageError, LookupError):
    pass


class DuplicateRequest(StorageError):
    """The request_key was already used: the earlier generation is `existing` (no new credit)."""

    def __init__(self, existing: Generation) -> None:
        super().__init__(f"request already recorded as generation {existing.id}")
        self.existing = existing


def _same_request(gen: Generation, since: float) -> tuple[str, tuple[Any, ...]]:
    # NULL-safe comparisons (IS): a create has no parent, a CLI request no user. Refused and
    # refunded requests spent nothing, so asking again is no double click.
    return (
        "SELECT * FROM generations WHERE kind = ? AND room_type = ? AND user_id IS ? "
        "AND parent_id IS ? AND source_message_id IS ? AND created_at > ? "
        "AND status NOT IN ('REJECTED', 'FAILED') ORDER BY id DESC LIMIT 1",
        (
            Kind(gen.kind).value,
            RoomType(gen.room_type).value,
            gen.origin.user_id,
            gen.parent_id,
            gen.source_message_id,
            since,
        ),
    )


def _keep_hint(cur: Generation, planned: float | None, asked_at: float | None) -> float | None:
    """The next check: `planned`, unless a callback came while the API was being asked."""
    if planned is None or asked_at is None or cur.next_check_at is None:
        return planned
    hinted = cur.next_check_at.timestamp()
    return hinted if asked_at < hinted < planned else planned


class GenerationRepository(GenerationReads):
    def __init__(self, db: Database, *, clock: Clock = utc_now, lease: Lease | None = None) -> None:
        self._db = db
        self._clock = clock  # injectable so tests can control durations
        # This process's lease (storage/leases.py): with PostgreSQL, intents, submissions and
        # checks are written only by the process holding the row's lease.
        self._lease = lease

    # -- writes ---------------------------------------------------------------------------

    async def create_intent(
        self,
        gen: Generation,
        request_key: str | None = None,
        *,
        dedupe_within: float = 0,
        caps: Sequence[Cap] = (),
    ) -> Generation:
        """Record the intent (status PENDING) before the API is called; a crash after this
        point is visible at the next start instead of silently losing a spent credit.

        `dedupe_within` seconds: the same request by the same user in that window (same kind,
        type, parent and source photo) raises DuplicateRequest: a double click spends once.
        `caps` are counted in the same IMMEDIATE transaction: racing clicks cannot both take
        a cap's last unit (CapReached)."""
        now = to_ts(self._clock())
        values = intent_row(gen, request_key, now)
        sql = (
            f"INSERT INTO generations ({', '.join(values)}) "
            f"VALUES ({', '.join('?' * len(values))}) RETURNING *"
        )
        async with self._db.write() as conn:
            # Checked inside the write transaction under one lock, so two processes cannot
            # both pass (SQLite: the IMMEDIATE lock; PostgreSQL: an advisory lock).
            await lock(conn, "intents")
            if request_key is not None:
                row = await fetchone(
                    conn, "SELECT * FROM generations WHERE request_key = ?", (request_key,)
                )
                if row is not None:
                    raise DuplicateRequest(to_generation(row))
            if dedupe_within > 0:
                row = await fetchone(conn, *_same_request(gen, now - dedupe_within))
                if row is not None:
                    raise DuplicateRequest(to_generation(row))
            for cap in caps:
                if (await fetchone(conn, *cap_query(cap)))[0] >= cap.limit:
                    raise CapReached(cap)
            created = to_generation(await fetchone(conn, sql, tuple(values.values())))
            # Held while the paid call is in flight: if this process dies, the lease runs out
            # and recover_interrupted() knows the intent's outcome is unknown.
            await claim_row(conn, created.id, self._lease, now)
            return created

    async def recent_duplicate(self, gen: Generation, within: float) -> Generation | None:
        """The same request by the same user in the last `within` seconds, if any."""
        since = to_ts(self._clock()) - within
        row = await self._db.fetchone(*_same_request(gen, since))
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
        if status not in (Status.STARTING, Status.PROCESSING):
            raise ValueError(f"mark_submitted takes STARTING or PROCESSING, not {status}")
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            await claim_row(conn, id, self._lease, to_ts(self._clock()))
            if cur.generation_id is not None:
                if cur.generation_id == generation_id:
                    return cur  # repeated call: already counted
                raise StorageError(f"generation {id} already submitted as {cur.generation_id}")
            first_check = to_ts(next_check_at)
            if cur.next_check_at is not None:  # a callback came first (Leases.hint): check now
                early = to_ts(cur.next_check_at)
                first_check = early if first_check is None else min(first_check, early)
            fields: dict[str, Any] = {
                "generation_id": generation_id,
                "project_id": project_id,
                "remaining_photos": remaining_photos,
                "next_check_at": first_check,
            }
            if webhook_secret is not None:
                fields["webhook_secret"] = webhook_secret
            if status.rank > cur.status.rank:  # PENDING/UNKNOWN -> live; clear stale error
                fields.update(status=status.value, error=None)
            now = self._clock()
            fields["submitted_at"] = to_ts(now)
            if count_usage:
                await increment_usage(conn, cur.origin.guild_id or 0, now)
            # the row knows its id now: a callback's early word on it has served
            await execute(conn, "DELETE FROM pending_callbacks WHERE row_id = ?", (id,))
            return await self._update(conn, id, fields)

    async def mark_unknown(self, id: int, error: str) -> Generation:
        """Outcome unknown (the credit may be spent). Ignored once the API has answered."""
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            if cur.status.rank > Status.UNKNOWN.rank:
                return cur
            return await self._update(conn, id, {"status": Status.UNKNOWN.value, "error": error})

    async def mark_rejected(self, id: int, error: str) -> Generation:
        """The API refused the request before acting on it: final, and no credit was spent."""
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            if cur.status.rank > Status.UNKNOWN.rank:
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
        now = to_ts(self._clock())
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

    async def record_check(
        self,
        id: int,
        *,
        status: Status,
        next_check_at: When,
        result_urls: Iterable[str] | None = None,
        variation_number: int | None = None,
        error: str | None = None,
        asked_at: When = None,
        ended_after: When = None,
    ) -> tuple[Generation, bool]:
        """Persist one status observation (poll or webhook) monotonically.

        `ended_after`: the generation's end is known to lie after this moment (a check saw it
        unfinished, or a callback bounds it); kept as the latest such moment while it is live.
        Returns (generation, became_terminal); became_terminal is True only in the one call
        that moved the row into SUCCEEDED/FAILED: the caller's "exactly one finished event".
        `asked_at`: when the API was asked; a callback written down since (Leases.hint) keeps
        the row due at once instead of `next_check_at`.
        """
        async with self._db.write() as conn:
            # Locked (PostgreSQL: FOR UPDATE) until the transaction ends.
            sql = "SELECT * FROM generations WHERE id = ?" + for_update(conn)
            row = await fetchone(conn, sql, (id,))
            if row is None:
                raise GenerationNotFound(f"no generation with id {id}")
            cur = to_generation(row)
            await claim_row(conn, id, self._lease, to_ts(self._clock()))  # or LeaseLost
            fields: dict[str, Any] = {
                "check_count": cur.check_count + 1,
                "next_check_at": _keep_hint(cur, to_ts(next_check_at), self._hinted(asked_at)),
            }
            if ended_after is not None and not cur.status.is_terminal:
                fields["ended_after"] = max(row["ended_after"] or 0.0, to_ts(ended_after))
            became_terminal = False
            # Lower ranks are stale (late PROCESSING after SUCCEEDED); equal rank but another
            # status (FAILED after SUCCEEDED) is a contradiction: the first terminal wins.
            if status.rank > cur.status.rank or status == cur.status:
                if status != cur.status:
                    fields.update(status=status.value, error=error)
                elif error is not None:
                    fields["error"] = error
                if result_urls is not None:
                    fields["result_urls"] = json.dumps(list(result_urls))
                if variation_number is not None:
                    fields["variation_number"] = variation_number
                if status.is_terminal and not cur.status.is_terminal:
                    fields["finished_at"] = to_ts(self._clock())
                    became_terminal = True
                    if status is Status.FAILED:  # the API refunded it: it is not spend
                        await self._uncount(conn, cur)
            return await self._update(conn, id, fields), became_terminal

    def _hinted(self, asked_at: When) -> float | None:
        # Only processes sharing a database write callbacks down (Leases.hint).
        return to_ts(asked_at) if self._db.dialect == "postgres" else None

    async def _uncount(self, conn: aiosqlite.Connection, cur: Generation) -> None:
        row = await fetchone(conn, "SELECT submitted_at FROM generations WHERE id = ?", (cur.id,))
        counted_on = from_ts(row[0]) if row and row[0] is not None else cur.created_at
        await increment_usage(conn, cur.origin.guild_id or 0, counted_on, -1)

    async def mark_timed_out(self, id: int) -> Generation:
        """Our deadline passed; the API may still finish it (record_check can move it on)."""
        async with self._db.write() as conn:
            cur = await self._load(conn, id)
            if cur.status.rank >= Status.TIMED_OUT.rank:
                return cur
            return await self._update(conn, id, {"status": Status.TIMED_OUT.value})

    async def set_next_check(self, id: int, when: When) -> Generation:
        return await self._set(id, next_check_at=to_ts(when))

    async def set_card_message(self, id: int, message_id: int | None) -> Generation:
        return await self._set(id, card_message_id=message_id)

    async def set_result_message(self, id: int, message_id: int) -> bool:
        """Set only if still NULL; False means another poster already recorded one."""
        async with self._db.write() as conn:
            await self._load(conn, id)
            changed = await execute(
                conn,
                "UPDATE generations SET result_message_id = ?, updated_at = ? "
                "WHERE id = ? AND result_message_id IS NULL",
                (message_id, to_ts(self._clock()), id),
            )
            await release_row(conn, id, self._lease)  # posted: nothing left to hold it for
        return changed == 1

    async def set_source_message(self, id: int, channel_id: int, message_id: int) -> Generation:
        return await self._set(id, source_channel_id=channel_id, source_message_id=message_id)

    # -- helpers --------------------------------------------------------------------------

    async def _load(self, conn: aiosqlite.Connection, id: int) -> Generation:
        # Locked until the transaction ends: read-modify-write stays atomic across processes.
        sql = "SELECT * FROM generations WHERE id = ?" + for_update(conn)
        row = await fetchone(conn, sql, (id,))
        if row is None:
            raise GenerationNotFound(f"no generation with id {id}")
        return to_generation(row)

    async def _update(
        self, conn: aiosqlite.Connection, id: int, fields: Mapping[str, Any]
    ) -> Generation:
        # Column names come from this module only, never from callers' strings.
        values = {**fields, "updated_at": to_ts(self._clock())}
        assignments = ", ".join(f"{column} = ?" for column in values)
        row = await fetchone(
            conn,
            f"UPDATE generations SET {assignments} WHERE id = ? RETURNING *",
            (*values.values(), id),
        )
        if row is None:
            raise GenerationNotFound(f"no generation with id {id}")
        return to_generation(row)

    async def _set(self, id: int, **fields: Any) -> Generation:
        async with self._db.write() as conn:
            return await self._update(conn, id, fields)
