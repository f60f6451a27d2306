"""The loop that runs checks when they are due: a heap of next-check times (queue.py), one
alarm for the earliest, and each check in an owned task under a concurrency limit.

It never scans what it follows: a wake-up pops what is due, a new or moved row that is
earlier than the alarm rings it, and a row being checked gets its next time when the check
ends (a hint that came meanwhile makes that "now"). The tracker supplies `_check` and says
which rows it still follows (`_known`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from bot.tracking.queue import DueQueue

log = logging.getLogger(__name__)


class CheckSupervisor:
    def __init__(self, *, concurrency: int, clock: Callable[[], float], retry_after: float):
        self._clock = clock
        self._retry_after = retry_after  # after a check that raised
        self._due = DueQueue()  # rows waiting for their next check (none whose check runs)
        self._after: dict[int, float] = {}  # rows whose check runs -> when the next one is due
        self._known: dict[int, Any] = {}  # every row followed, by id
        self._running: set[int] = set()  # rows whose check is in flight
        self._rechecks: set[int] = set()  # hinted while in flight
        self._checks: set[asyncio.Task] = set()
        self._wake = asyncio.Event()
        self._sleeping_until = 0.0  # the supervisor's alarm; an earlier row must wake it
        self._limit = asyncio.Semaphore(concurrency)
        self._supervisor: asyncio.Task | None = None

    async def _check(self, row: int) -> Any:
        raise NotImplementedError

    def _plan(self, row: int, when: float) -> None:
        """The next check of a followed row; a row being checked gets it when that ends."""
        if row in self._running:
            self._after[row] = min(when, self._after.get(row, when))
            return
        self._due.set(row, when)
        if when < self._sleeping_until:
            self._wake.set()  # earlier than the supervisor's alarm

    async def _run(self) -> None:
        # Each check runs in its own owned task, so one slow `get` (retries, long timeouts)
        # never delays the other generations, their hints or their deadlines.
        while True:
            self._wake.clear()
            now = self._clock()
            due = self._due.pop_due(now)
            if not due:
                earliest = self._due.earliest()
                wait = 3600.0 if earliest is None else max(0.0, earliest - now)
                self._sleeping_until = now + wait
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._wake.wait()
                self._sleeping_until = 0.0
                continue
            for row in due:
                self._running.add(row)
                task = asyncio.create_task(self._guarded_check(row), name=f"check-{row}")
                self._checks.add(task)
                task.add_done_callback(self._checks.discard)
            await asyncio.sleep(0)  # let the checks start before looking again

    async def _guarded_check(self, row: int) -> None:
        try:
            async with self._limit:
                await self._check(row)
        except Exception:  # one bad generation must not stop the others
            log.exception("check of generation %s failed; retrying later", row)
            if row in self._known:
                self._after[row] = self._clock() + self._retry_after
        finally:
            self._check_ended(row)

    def _check_ended(self, row: int) -> None:
        self._running.discard(row)
        when = self._after.pop(row, None)
        if row in self._rechecks:
            self._rechecks.discard(row)
            if row in self._known:  # a hint came while we were asking
                when = self._clock()
        if when is not None and row in self._known:
            self._plan(row, when)
