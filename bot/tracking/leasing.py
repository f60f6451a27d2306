"""The tracker's side of sharing a database (PostgreSQL, several processes): keep this
process's leases, take over what dead processes leave behind, and act at once on callbacks
that reached another process.

Hints arrive by LISTEN/NOTIFY (storage/leases.py): the process that got the callback writes
the row due and notifies; the one following it checks within milliseconds instead of finding
it at its next look at the table. `due_mine` at each renewal stays as the safety net for a
notification missed while the listening connection was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage import Leases

log = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(
        self,
        leases: Leases,
        *,
        hint: Callable[[int], object],
        resume: Callable[[], Awaitable[int]],
        due_later_than: Callable[[int, float], bool],
        clock: Callable[[], float],
    ) -> None:
        self.leases = leases
        self._hint = hint  # make a followed row due now (a callback came for it)
        self._resume = resume  # claim what no live process holds
        self._due_later_than = due_later_than
        self._clock = clock
        self.take_over = False  # a one-shot CLI follows only its own generations
        self._stop_listening: Callable[[], Awaitable[None]] | None = None

    async def run(self) -> None:
        # A third of a lease: two renewals may fail before another process takes over.
        tick = self.leases.lease.seconds / 3
        try:
            while True:
                await self._upkeep()
                await asyncio.sleep(tick)
        finally:
            if self._stop_listening is not None:
                with contextlib.suppress(Exception):
                    await self._stop_listening()

    async def _upkeep(self) -> None:
        try:
            if self._stop_listening is None or not self.leases.listening():
                if self._stop_listening is not None:
                    await self._stop_listening()
                    log.warning("the connection listening for callbacks broke; listening again")
                self._stop_listening = None
                self._stop_listening = await self.leases.listen(self._hint)
            await self.leases.renew()
            if self.take_over:
                await self._resume()
            now = self._clock()
            for row in await self.leases.due_mine():
                if self._due_later_than(row, now):
                    self._hint(row)
        except Exception:  # the database may be briefly away: try again next tick
            log.exception("lease upkeep failed")
