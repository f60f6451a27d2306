"""Delivery to Discord: the result posted once, and the ids of the messages that show a
generation (its card, its source photo, its result)."""

from __future__ import annotations

from bot.domain import Generation

from ..db import execute
from ..leases import release_row
from .table import GenerationTable


class GenerationDelivery(GenerationTable):
    async def set_result_message(self, id: int, message_id: int) -> bool:
        """Set only if still NULL; False means another poster already recorded one."""
        async with self._db.write() as conn:
            await self._load(conn, id)
            # "Posted once" is this one conditional UPDATE: deciding it in Python after a read
            # would let two posters both see NULL.
            changed = await execute(
                conn,
                "UPDATE generations SET result_message_id = ?, updated_at = ? "
                "WHERE id = ? AND result_message_id IS NULL",
                (message_id, self._now(), id),
            )
            await release_row(conn, id, self._lease)  # posted: nothing left to hold it for
        return changed == 1

    async def set_card_message(self, id: int, message_id: int | None) -> Generation:
        return await self._set(id, card_message_id=message_id)

    async def set_source_message(self, id: int, channel_id: int, message_id: int) -> Generation:
        return await self._set(id, source_channel_id=channel_id, source_message_id=message_id)
