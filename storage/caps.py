"""Spending caps, counted inside the intent's transaction (generations/intents.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._time import to_ts
from .db import StorageError
from .spend import COUNTED_SQL


class CapReached(StorageError):
    """A spending cap was full when the intent was to be written: nothing was recorded."""

    def __init__(self, cap: Cap) -> None:
        super().__init__(f"cap {cap.scope} of {cap.limit} reached")
        self.cap = cap


@dataclass(frozen=True)
class Cap:
    """At most `limit` spending generations since `since` in the guild (and for `user_id`
    when given). Refused and refunded generations spent nothing, so they do not count."""

    scope: str
    limit: int
    guild_id: int | None
    since: datetime
    user_id: int | None = None

    def reached(self, used: int) -> bool:
        return used >= self.limit


def cap_query(cap: Cap) -> tuple[str, list[Any]]:
    """How many generations count against `cap`: spending or queued (refused, refunded and
    cancelled ones do not)."""
    sql = (
        "SELECT count(*) FROM generations WHERE guild_id IS ? AND created_at >= ? "
        f"AND {COUNTED_SQL}"
    )
    params: list[Any] = [cap.guild_id, to_ts(cap.since)]
    if cap.user_id is not None:
        sql += " AND user_id = ?"
        params.append(cap.user_id)
    return sql, params
