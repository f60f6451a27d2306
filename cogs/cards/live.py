"""Live job cards: while a generation runs its card's elapsed time and time left move on.

Rate-limit friendly: one loop for all cards, and a card is edited at most once every
`min_edit` seconds, whoever edits it (status changes included).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import discord
from discord.ext import tasks

from bot.domain import Generation, Status

log = logging.getLogger(__name__)
TICK_SECONDS = 5.0
MIN_EDIT_SECONDS = 5.0
# a queued card ticks too: its place in line and its wait move on
RUNNING = frozenset({Status.QUEUED, Status.PENDING, Status.STARTING, Status.PROCESSING})


class LiveCards:
    def __init__(
        self,
        get: Callable[[int], Awaitable[Generation | None]],
        edit: Callable[[Generation], Awaitable[object]],
        *,
        min_edit: float = MIN_EDIT_SECONDS,
    ) -> None:
        self._get = get
        self._edit = edit
        self.min_edit = min_edit
        self.watched: set[int] = set()
        self._last_edit: dict[int, float] = {}

    def watch(self, row_id: int) -> None:
        self.watched.add(row_id)
        if not self.tick.is_running():
            self.tick.start()

    def edited(self, row_id: int) -> None:
        self._last_edit[row_id] = time.monotonic()

    def may_edit(self, row_id: int) -> bool:
        return time.monotonic() - self._last_edit.get(row_id, 0.0) >= self.min_edit

    def stop(self) -> None:
        self.tick.cancel()

    @tasks.loop(seconds=TICK_SECONDS)
    async def tick(self) -> None:
        for row_id in list(self.watched):
            try:
                gen = await self._get(row_id)
                if gen is None or gen.status not in RUNNING or not gen.card_message_id:
                    self.watched.discard(row_id)
                    self._last_edit.pop(row_id, None)
                elif self.may_edit(row_id):
                    with contextlib.suppress(discord.HTTPException):
                        await self._edit(gen)
            except Exception:  # one card must not stop the others, nor the loop
                log.exception("live update of generation %s failed", row_id)
