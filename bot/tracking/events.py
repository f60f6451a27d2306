"""What the tracker tells the rest of the house: status changes, ends and time-outs, delivered
to subscribers (the Discord side, the CLI, tests) in owned tasks, so a slow or failing
subscriber never holds up a check or another subscriber."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain import Generation, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackerEvent:
    kind: str  # "status" (still running), "finished" (SUCCEEDED/FAILED) or "timed_out"
    generation: Generation
    previous: Status


Subscriber = Callable[[TrackerEvent], Awaitable[None]]


class EventHub:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self.deliveries: set[asyncio.Task] = set()  # owned: cancelled with the tracker

    def subscribe(self, callback: Subscriber) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        self._subscribers.remove(callback)

    def emit(self, event: TrackerEvent) -> None:
        for callback in self._subscribers:
            task = asyncio.create_task(_deliver(callback, event))
            self.deliveries.add(task)
            task.add_done_callback(self.deliveries.discard)

    async def drain(self) -> None:
        """Wait until events already emitted have been delivered (tests, CLI)."""
        while self.deliveries:
            await asyncio.gather(*self.deliveries, return_exceptions=True)


async def _deliver(callback: Subscriber, event: TrackerEvent) -> None:
    try:
        await callback(event)
    except Exception:
        log.exception(
            "subscriber failed on %s event of generation %s", event.kind, event.generation.id
        )
