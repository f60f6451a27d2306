"""Per-guild settings stored as one JSON object per guild."""

from __future__ import annotations

import json
from typing import Any

from ._time import Clock, to_ts, utc_now
from .db import Database, execute, fetchone, lock


class GuildSettingsRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def get(self, guild_id: int) -> dict[str, Any]:
        """The guild's settings; {} when none were ever set (callers apply their defaults)."""
        row = await self._db.fetchone(
            "SELECT settings FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {} if row is None else json.loads(row[0])

    async def set(self, guild_id: int, key: str, value: Any) -> dict[str, Any]:
        """Set one JSON-serialisable value; returns the guild's full settings."""
        return await self._change(guild_id, lambda s: s.__setitem__(key, value))

    async def delete(self, guild_id: int, key: str) -> dict[str, Any]:
        """Forget one key (back to the caller's default); returns the remaining settings."""
        return await self._change(guild_id, lambda s: s.pop(key, None))

    async def claim(self, guild_id: int, key: str, value: Any) -> bool:
        """Set `key` to `value` (None forgets it); True only for the one caller that changed
        it, so racing callers cannot both act on the same change (e.g. warn twice)."""
        changed = False

        def change(settings: dict[str, Any]) -> None:
            nonlocal changed
            changed = settings.get(key) != value
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value

        await self._change(guild_id, change)
        return changed

    async def _change(self, guild_id: int, change: Any) -> dict[str, Any]:
        # Read-modify-write inside one IMMEDIATE transaction: concurrent /settings commands
        # changing different keys must not drop each other's change.
        async with self._db.write() as conn:
            await lock(conn, f"guild_settings:{guild_id}")
            row = await fetchone(
                conn, "SELECT settings FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            settings = {} if row is None else json.loads(row[0])
            change(settings)
            await execute(
                conn,
                "INSERT INTO guild_settings (guild_id, settings, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE "
                "SET settings = excluded.settings, updated_at = excluded.updated_at",
                (guild_id, json.dumps(settings, sort_keys=True), to_ts(self._clock())),
            )
        return settings
