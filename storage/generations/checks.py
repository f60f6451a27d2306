"""The tracker's results: each status observation (poll or webhook) written monotonically, the
refund of a failed generation, our own deadline, the next check and the callbacks seen.

Every write here is `durable=False` (no fsync per commit): each one records what the API said
and can say again. A power loss may drop the last few; the row then shows the generation as
it was before, the tracker asks again and records the same answer (a refund with its status,
in one transaction). The money path (intents.py) stays durable, and its fsync makes every
earlier commit durable too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.domain import Generation, Status

from .._time import from_ts, to_ts
from ..db import execute
from ..leases import claim_row
from ..rows import to_generation
from ..spend import counted_on
from ..usage import increment_usage
from . import rules
from .table import GenerationTable, When


class GenerationChecks(GenerationTable):
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
        """Persist one status observation (poll or webhook) monotonically (rules.observe).

        `ended_after`: the generation's end is known to lie after this moment (a check saw it
        unfinished, or a callback bounds it); kept as the latest such moment while it is live.
        Returns (generation, became_terminal); became_terminal is True only in the one call
        that moved the row into SUCCEEDED/FAILED: the caller's "exactly one finished event".
        `asked_at`: when the API was asked; a callback written down since (Leases.hint) keeps
        the row due at once instead of `next_check_at`.
        """
        seen = rules.Observation(
            status=status,
            next_check_at=to_ts(next_check_at),
            result_urls=result_urls,
            variation_number=variation_number,
            error=error,
            asked_at=self._hinted(asked_at),
            ended_after=to_ts(ended_after),
        )
        async with self._db.write(durable=False) as conn:
            row = await self._locked_row(conn, id)
            cur = to_generation(row)
            await claim_row(conn, id, self._lease, self._now())  # or LeaseLost
            change = rules.observe(cur, seen, ended_after=row["ended_after"], now=self._now())
            fields: dict[str, Any] = dict(change.fields)
            if "result_urls" in fields:
                fields["result_urls"] = json.dumps(fields["result_urls"])
            if change.refund:  # the API refunded it: it is not spend
                day = counted_on(from_ts(row["submitted_at"]), cur.created_at)
                await increment_usage(conn, cur.origin.guild_id or 0, day, -1)
            return await self._update(conn, id, fields), change.became_terminal

    def _hinted(self, asked_at: When) -> float | None:
        # Only processes sharing a database write callbacks down (Leases.hint).
        return to_ts(asked_at) if self._db.dialect == "postgres" else None

    async def mark_timed_out(self, id: int) -> Generation:
        """Our deadline passed; the API may still finish it (record_check can move it on)."""
        async with self._db.write(durable=False) as conn:
            cur = await self._load(conn, id)
            if not rules.may_time_out(cur.status):
                return cur
            return await self._update(conn, id, {"status": Status.TIMED_OUT.value})

    async def set_next_check(self, id: int, when: When) -> Generation:
        return await self._set(id, durable=False, next_check_at=to_ts(when))

    async def note_callback(self, id: int) -> bool:
        """A genuine callback for this row arrived (the first one counts); False if the row
        is gone or had one already."""
        async with self._db.write(durable=False) as conn:
            changed = await execute(
                conn,
                "UPDATE generations SET callback_at = ? WHERE id = ? AND callback_at IS NULL",
                (self._now(), id),
            )
        return changed == 1
