"""The learnt duration models the tracker schedules from, one per (room type, kind).

Learning reads the latest bounds from the database and runs Turnbull's estimate
(durations.py): milliseconds, not microseconds. A model goes stale when a generation of its
kind finishes, and is learnt again when next needed, but at most once per
`PollPolicy.relearn_after` seconds: with 10,000 generations followed, dozens finish every
second, and one more end among forty barely moves the estimate.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain import Kind, RoomType
from bot.tracking.durations import DurationModel, Observation
from bot.tracking.schedule import PollPolicy
from storage import GenerationRepository

Key = tuple[RoomType, Kind]


class LearntDurations:
    def __init__(
        self,
        repo: GenerationRepository,
        policy: PollPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.repo = repo
        self.policy = policy
        self._clock = clock
        self._models: dict[Key, DurationModel | None] = {}
        self._learnt_at: dict[Key, float] = {}
        self._stale: set[Key] = set()

    def finished(self, room_type: RoomType, kind: Kind) -> None:
        """A generation of this kind ended: its model may learn from it."""
        self._stale.add((room_type, kind))

    async def model(self, room_type: RoomType, kind: Kind) -> DurationModel | None:
        key = (room_type, kind)
        now = self._clock()
        if key in self._models and (
            key not in self._stale or now - self._learnt_at[key] < self.policy.relearn_after
        ):
            return self._models[key]
        bounds = await self.repo.recent_durations(room_type, kind)
        self._models[key] = self.policy.learn([Observation(*b) for b in bounds])
        self._learnt_at[key] = now
        self._stale.discard(key)
        return self._models[key]

    async def typical(self, room_type: RoomType, kind: Kind) -> float | None:
        """The learnt median duration in seconds (None while history is too short): what the
        job cards promise, from the same model the schedule uses."""
        model = await self.model(room_type, kind)
        return model.quantile(0.5) if model is not None else None
