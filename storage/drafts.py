"""Drafts (previews and studio sessions): stored whole, claimed at most once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain import Draft, DraftState, Kind, RoomType

from ._time import Clock, from_ts, to_ts, utc_now
from .db import Database, execute

_COLUMNS = (
    "id", "kind", "parent_id", "guild_id", "channel_id", "user_id", "user_name", "room_type",
    "source", "photo", "photo_name", "photo_sha256", "mask", "width", "height", "state",
    "created_at", "expires_at",
)  # fmt: skip


def _to_draft(row: Mapping[str, Any]) -> Draft:
    return Draft(
        id=row["id"],
        kind=Kind(row["kind"]),
        channel_id=row["channel_id"],
        user_id=row["user_id"],
        room_type=RoomType(row["room_type"]),
        source=row["source"],
        photo=bytes(row["photo"]),
        photo_name=row["photo_name"],
        photo_sha256=row["photo_sha256"],
        mask=bytes(row["mask"]),
        width=row["width"],
        height=row["height"],
        created_at=from_ts(row["created_at"]),  # type: ignore[arg-type]
        expires_at=from_ts(row["expires_at"]),  # type: ignore[arg-type]
        guild_id=row["guild_id"],
        user_name=row["user_name"],
        parent_id=row["parent_id"],
        state=DraftState(row["state"]),
        claimed_by=row["claimed_by"],
    )


class DraftRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def add(self, draft: Draft) -> Draft:
        values = {
            "id": draft.id, "kind": Kind(draft.kind).value, "parent_id": draft.parent_id,
            "guild_id": draft.guild_id, "channel_id": draft.channel_id, "user_id": draft.user_id,
            "user_name": draft.user_name, "room_type": RoomType(draft.room_type).value,
            "source": draft.source, "photo": draft.photo, "photo_name": draft.photo_name,
            "photo_sha256": draft.photo_sha256, "mask": draft.mask, "width": draft.width,
            "height": draft.height, "state": DraftState(draft.state).value,
            "created_at": to_ts(draft.created_at), "expires_at": to_ts(draft.expires_at),
        }  # fmt: skip
        async with self._db.write() as conn:
            await execute(
                conn,
                f"INSERT INTO drafts ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                tuple(values[c] for c in _COLUMNS),
            )
        return draft

    async def get(self, draft_id: str) -> Draft | None:
        row = await self._db.fetchone("SELECT * FROM drafts WHERE id = ?", (draft_id,))
        return None if row is None else _to_draft(row)

    async def claim(self, draft_id: str, by: str, *, honour_expiry: bool = True) -> bool:
        """OPEN -> USED, once: True for the one caller that claimed it. A preview's buttons
        honour its expiry; the studio's signed token carries an expiry of its own."""
        now = to_ts(self._clock())
        expiry = "AND expires_at > ?" if honour_expiry else ""
        params: tuple[Any, ...] = (now, by, draft_id) + ((now,) if honour_expiry else ())
        async with self._db.write() as conn:
            changed = await execute(
                conn,
                "UPDATE drafts SET state = 'USED', claimed_at = ?, claimed_by = ? "
                f"WHERE id = ? AND state = 'OPEN' {expiry}",
                params,
            )
        return changed == 1

    async def release(self, draft_id: str) -> None:
        """A claim whose work failed before anything was spent: usable again."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "UPDATE drafts SET state = 'OPEN', claimed_at = NULL, claimed_by = NULL "
                "WHERE id = ? AND state = 'USED'",
                (draft_id,),
            )

    async def cancel(self, draft_id: str) -> bool:
        async with self._db.write() as conn:
            changed = await execute(
                conn, "UPDATE drafts SET state = 'CANCELLED' WHERE id = ? AND state = 'OPEN'",
                (draft_id,),
            )  # fmt: skip
        return changed == 1

    async def purge(self, older_than: datetime) -> int:
        """Forget drafts (and their pictures) created before `older_than`."""
        async with self._db.write() as conn:
            return await execute(
                conn, "DELETE FROM drafts WHERE created_at < ?", (to_ts(older_than),)
            )
