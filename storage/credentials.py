"""A server's own API credentials, stored sealed (the caller seals; no clear key reaches SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from ._time import Clock, to_ts, utc_now
from .db import Database, fetchone


@dataclass(frozen=True)
class StoredCredentials:
    id: int
    guild_id: int
    sealed: str  # Fernet token of the key and user id; opened only by bot.teams.credentials
    key_hint: str  # the masked key, the only form ever shown


class CredentialRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def add(self, guild_id: int, sealed: str, key_hint: str) -> StoredCredentials:
        """A new set; older sets stay, since generations started with them are still followed."""
        async with self._db.write() as conn:
            row = await fetchone(
                conn,
                "INSERT INTO credential_sets (guild_id, sealed, key_hint, created_at) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                (guild_id, sealed, key_hint, to_ts(self._clock())),
            )
        return StoredCredentials(int(row[0]), guild_id, sealed, key_hint)

    async def get(self, set_id: int) -> StoredCredentials | None:
        row = await self._db.fetchone(
            "SELECT id, guild_id, sealed, key_hint FROM credential_sets WHERE id = ?", (set_id,)
        )
        return None if row is None else StoredCredentials(*row)
