"""Read-only views over generations: filtered history, spend per member and channel, credits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain import Generation, RoomType, Status

from ._time import to_ts
from .caps import Cap, cap_query
from .db import Database
from .rows import to_generation
from .spend import SPENDING_SQL


@dataclass(frozen=True)
class HistoryFilter:
    channel_id: int
    user_id: int | None = None  # "mine"
    room_type: RoomType | None = None
    statuses: tuple[Status, ...] = ()

    def where(self) -> tuple[str, list[Any]]:
        sql, params = "channel_id = ?", [self.channel_id]
        if self.user_id is not None:
            sql += " AND user_id = ?"
            params.append(self.user_id)
        if self.room_type is not None:
            sql += " AND room_type = ?"
            params.append(RoomType(self.room_type).value)
        if self.statuses:
            sql += f" AND status IN ({', '.join('?' * len(self.statuses))})"
            params += [Status(s).value for s in self.statuses]
        return sql, params


@dataclass
class SpendReport:
    by_member: list[tuple[int, str, int]] = field(default_factory=list)  # id, name, count
    by_channel: list[tuple[int, int]] = field(default_factory=list)
    refunds: int = 0
    remaining_photos: int | None = None


class ReportRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def history(self, f: HistoryFilter, *, offset: int, limit: int) -> list[Generation]:
        where, params = f.where()
        rows = await self._db.fetchall(
            f"SELECT * FROM generations WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [to_generation(r) for r in rows]

    async def count_history(self, f: HistoryFilter) -> int:
        where, params = f.where()
        row = await self._db.fetchone(f"SELECT count(*) FROM generations WHERE {where}", params)
        return int(row[0])

    async def spent(self, cap: Cap) -> int:
        """The cap's count outside a transaction (a cheap early answer; the intent decides)."""
        row = await self._db.fetchone(*cap_query(cap))
        return int(row[0])

    async def remaining_photos(self, credential_set: int | None) -> int | None:
        """What the API said was left after the latest generate with these credentials."""
        row = await self._db.fetchone(
            "SELECT remaining_photos FROM generations WHERE credential_set IS ? "
            "AND remaining_photos IS NOT NULL ORDER BY submitted_at DESC, id DESC LIMIT 1",
            (credential_set,),
        )
        return None if row is None else int(row[0])

    async def spend_report(
        self, guild_id: int, since: datetime, credential_set: int | None
    ) -> SpendReport:
        ts = to_ts(since)
        members = await self._db.fetchall(
            "SELECT user_id, max(user_name), count(*) AS n FROM generations "
            f"WHERE guild_id = ? AND created_at >= ? AND {SPENDING_SQL} "
            "GROUP BY user_id ORDER BY n DESC, user_id LIMIT 25",
            (guild_id, ts),
        )
        channels = await self._db.fetchall(
            "SELECT channel_id, count(*) AS n FROM generations "
            f"WHERE guild_id = ? AND created_at >= ? AND {SPENDING_SQL} "
            "GROUP BY channel_id ORDER BY n DESC, channel_id LIMIT 25",
            (guild_id, ts),
        )
        refunds = await self._db.fetchone(
            "SELECT count(*) FROM generations WHERE guild_id = ? AND created_at >= ? "
            "AND status = 'FAILED'",
            (guild_id, ts),
        )
        return SpendReport(
            by_member=[(int(r[0] or 0), str(r[1] or "?"), int(r[2])) for r in members],
            by_channel=[(int(r[0] or 0), int(r[1])) for r in channels],
            refunds=int(refunds[0]),
            remaining_photos=await self.remaining_photos(credential_set),
        )
