"""Client links and the bot's own copies of the pictures they show."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain import ClientCopy, ClientLink

from ._time import Clock, from_ts, to_ts, utc_now
from .db import Database, execute, fetchone

_LINK_COLUMNS = (
    "id", "guild_id", "generation_id", "root_id", "created_by", "server_name", "locale",
    "created_at", "expires_at",
)  # fmt: skip
_LISTED = "key, root_id, generation_id, kind, position, content_type"


def _to_link(row: Mapping[str, Any]) -> ClientLink:
    return ClientLink(
        id=row["id"],
        guild_id=row["guild_id"],
        generation_id=row["generation_id"],
        root_id=row["root_id"],
        created_by=row["created_by"],
        created_at=from_ts(row["created_at"]),  # type: ignore[arg-type]
        expires_at=from_ts(row["expires_at"]),  # type: ignore[arg-type]
        server_name=row["server_name"],
        locale=row["locale"],
        revoked_at=from_ts(row["revoked_at"]),
        opened_count=row["opened_count"],
        last_opened_at=from_ts(row["last_opened_at"]),
    )


def _to_copy(row: Mapping[str, Any]) -> ClientCopy:
    keys = row.keys()
    return ClientCopy(
        key=row["key"],
        root_id=row["root_id"],
        generation_id=row["generation_id"],
        kind=row["kind"],
        position=row["position"],
        content_type=row["content_type"],
        data=bytes(row["data"]) if "data" in keys else b"",
    )


class ClientLinkRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> float:
        return to_ts(self._clock())  # type: ignore[return-value]

    # -- links ---------------------------------------------------------------------------------

    async def add(self, link: ClientLink) -> ClientLink:
        values = {
            "id": link.id, "guild_id": link.guild_id, "generation_id": link.generation_id,
            "root_id": link.root_id, "created_by": link.created_by,
            "server_name": link.server_name, "locale": link.locale,
            "created_at": to_ts(link.created_at), "expires_at": to_ts(link.expires_at),
        }  # fmt: skip
        async with self._db.write() as conn:
            await execute(
                conn,
                f"INSERT INTO client_links ({', '.join(_LINK_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_LINK_COLUMNS))})",
                tuple(values[c] for c in _LINK_COLUMNS),
            )
        return link

    async def get(self, link_id: str) -> ClientLink | None:
        row = await self._db.fetchone("SELECT * FROM client_links WHERE id = ?", (link_id,))
        return None if row is None else _to_link(row)

    async def live_for(self, generation_id: int, created_by: int) -> ClientLink | None:
        """This member's newest link to this design that is neither revoked nor expired."""
        row = await self._db.fetchone(
            "SELECT * FROM client_links WHERE generation_id = ? AND created_by = ? "
            "AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1",
            (generation_id, created_by, self._now()),
        )
        return None if row is None else _to_link(row)

    async def opened(self, link_id: str) -> ClientLink | None:
        """Count one opening of a live link (one UPDATE: racing openings all count)."""
        now = self._now()
        async with self._db.write() as conn:
            row = await fetchone(
                conn,
                "UPDATE client_links SET opened_count = opened_count + 1, last_opened_at = ? "
                "WHERE id = ? AND revoked_at IS NULL AND expires_at > ? RETURNING *",
                (now, link_id, now),
            )
        return None if row is None else _to_link(row)

    async def revoke(self, link_id: str) -> bool:
        """True for the call that revoked it."""
        async with self._db.write() as conn:
            changed = await execute(
                conn,
                "UPDATE client_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (self._now(), link_id),
            )
        return changed == 1

    async def revoke_all(self, guild_id: int) -> int:
        """Revoke every link of the server still live; returns how many."""
        now = self._now()
        async with self._db.write() as conn:
            return await execute(
                conn,
                "UPDATE client_links SET revoked_at = ? "
                "WHERE guild_id = ? AND revoked_at IS NULL AND expires_at > ?",
                (now, guild_id, now),
            )

    async def family_has_live_link(self, root_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM client_links WHERE root_id = ? AND revoked_at IS NULL "
            "AND expires_at > ? LIMIT 1",
            (root_id, self._now()),
        )
        return row is not None

    # -- copies --------------------------------------------------------------------------------

    async def add_copy(self, copy: ClientCopy) -> None:
        """Keep a picture; a second copy of the same one is ignored (racing copiers)."""
        async with self._db.write() as conn:
            await execute(
                conn,
                "INSERT INTO client_copies (key, root_id, generation_id, kind, position, "
                "content_type, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (generation_id, kind, position) DO NOTHING",
                (copy.key, copy.root_id, copy.generation_id, copy.kind, copy.position,
                 copy.content_type, copy.data, self._now()),
            )  # fmt: skip

    async def copies(self, root_id: int) -> list[ClientCopy]:
        """A family's copies, listed without their bytes."""
        rows = await self._db.fetchall(
            f"SELECT {_LISTED} FROM client_copies WHERE root_id = ? "
            "ORDER BY generation_id, kind, position",
            (root_id,),
        )
        return [_to_copy(r) for r in rows]

    async def copy(self, key: str, root_id: int) -> ClientCopy | None:
        """A copy with its bytes, only if it belongs to the family `root_id`."""
        row = await self._db.fetchone(
            "SELECT * FROM client_copies WHERE key = ? AND root_id = ?", (key, root_id)
        )
        return None if row is None else _to_copy(row)

    async def purge(self, before: datetime | None = None) -> int:
        """Forget the copies of families no live link shows any more (their bytes are large)."""
        now = to_ts(before) if before is not None else self._now()
        async with self._db.write() as conn:
            return await execute(
                conn,
                "DELETE FROM client_copies WHERE root_id NOT IN (SELECT root_id FROM "
                "client_links WHERE revoked_at IS NULL AND expires_at > ?)",
                (now,),
            )
