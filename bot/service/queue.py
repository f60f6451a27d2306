"""The queue: a server's work past its cap on generations running at once, started in turn.

The intent's transaction writes such a request QUEUED (nothing sent, nothing spent). `pump`
starts the guild's next ones while slots are free: `dequeue` turns the first into its intent,
exactly once whatever the number of processes (storage/generations/queue.py); the edge that
posted its pictures gives fresh URLs for them (`urls_for`: Discord's signed URLs expire); then
`ExteriorService.send` makes the paid call, the one money path. Anything failing before that
call leaves nothing spent: the row is REJECTED with its reason (or queued again when the
process is stopping). A crash between the dequeue and the call leaves a PENDING intent, which
recovery reports as unknown like any interrupted intent (bot/service/usecases.py: recover).

Where a queued job stands is learnt: the running ones end when their type usually does
(bot/tracking/durations.py, through the tracker), the queued ones take that long each.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.domain import Generation, Kind
from bot.service.errors import OutcomeUnknownError, RejectedError
from bot.service.usecases import ExteriorService
from bot.teams.policy import Policy

log = logging.getLogger(__name__)

# Fresh URLs of a queued job's pictures: (photo, mask); the mask is a variation's new one or
# None. Raises LookupError when they are gone (then nothing can start, nothing is spent).
UrlsFor = Callable[[Generation, Generation | None], Awaitable[tuple[str, str | None]]]


@dataclass(frozen=True)
class Place:
    """Where a queued generation stands: `ahead` must end before it starts (its place in
    line, from 1); `wait`: learnt seconds until it starts, None without enough history."""

    ahead: int
    wait: float | None


@dataclass(frozen=True)
class Started:
    """A queued generation's turn: its row now, and what stopped it, if anything (nothing was
    spent unless the problem is OutcomeUnknownError)."""

    generation: Generation
    problem: BaseException | None = None


@dataclass(frozen=True)
class Snapshot:
    cap: int
    running: list[tuple[Generation, float | None]]  # and learnt seconds left
    queued: list[tuple[Generation, Place]]


def plan(
    slots: int, left: Sequence[float | None], durations: Sequence[float | None]
) -> list[Place]:
    """Places of the queued jobs (in order, each taking `durations[i]`) behind the running ones
    (each ending in `left[j]` seconds) on `slots` slots: each starts on the first slot free."""
    free = [math.inf if x is None else max(0.0, x) for x in left]
    free += [0.0] * max(0, slots - len(free))
    heapq.heapify(free)
    places = []
    for position, duration in enumerate(durations, 1):
        start = heapq.heappop(free) if free else math.inf
        places.append(Place(position, None if math.isinf(start) else start))
        heapq.heappush(free, start + (math.inf if duration is None else duration))
    return places


class JobQueue:
    def __init__(
        self, service: ExteriorService, policy_of: Callable[[int], Awaitable[Policy]]
    ) -> None:
        self.service = service
        self.generations = service.generations
        self.policy_of = policy_of
        self.urls_for: UrlsFor | None = None  # set by the edge that posts the cards (Discord)
        self._clock = time.time

    async def pump(self, guild_id: int) -> list[Started]:
        """Start the guild's next queued generations while its cap leaves room."""
        if self.urls_for is None:  # nobody can refresh their pictures here (the CLI)
            return []
        started = []
        while True:
            cap = (await self.policy_of(guild_id)).concurrent
            gen = await self.generations.dequeue(guild_id, cap)
            if gen is None:
                return started
            started.append(await self._start(gen))

    async def queued_guilds(self) -> list[int]:
        return await self.generations.queued_guilds()

    async def _start(self, gen: Generation) -> Started:
        assert self.urls_for is not None
        parent = None
        try:
            if gen.kind is Kind.VARIATION:
                parent = await self.generations.get(gen.parent_id or 0)
                if parent is None or not parent.generation_id:
                    raise LookupError(f"the parent of generation {gen.id} is gone")
            photo_url, mask_url = await self.urls_for(gen, parent)
            client = await self.service.client_for(gen.credential_set)
        except asyncio.CancelledError:
            # stopping before the paid call: certainly not sent, so back in its place
            await asyncio.shield(self.generations.back_in_queue(gen.id))
            raise
        except Exception as exc:  # before the paid call: nothing sent, nothing spent
            log.warning("queued generation %s could not start: %r", gen.id, exc)
            rejected = await self.generations.mark_rejected(gen.id, f"not started: {exc!r}"[:500])
            return Started(rejected, exc)
        log.info("queued generation %s starts", gen.id)
        try:
            sent = await self.service.send(
                gen, client, photo_url=photo_url, mask_url=mask_url, parent=parent
            )
        except (RejectedError, OutcomeUnknownError) as exc:  # recorded on the row by `send`
            return Started(exc.generation, exc)
        return Started(sent)

    async def cancel(self, row_id: int) -> Generation | None:
        """Take a queued generation out (nothing spent); None when it is no longer queued."""
        return await self.generations.cancel_queued(row_id)

    # -- where things stand --------------------------------------------------------------------

    async def snapshot(self, guild_id: int) -> Snapshot:
        cap = (await self.policy_of(guild_id)).concurrent
        running = await self.generations.running_in(guild_id)
        queued = await self.generations.queued_in(guild_id)
        now = self._clock()
        left = [await self._left(gen, now) for gen in running]
        durations = [await self._typical(gen) for gen in queued]
        places = plan(cap or len(running) or 1, left, durations)
        return Snapshot(
            cap, list(zip(running, left, strict=True)), list(zip(queued, places, strict=True))
        )

    async def place(self, gen: Generation) -> Place | None:
        """Where `gen` stands in its guild's queue; None once it is no longer queued."""
        if gen.origin.guild_id is None:
            return None
        found = await self.snapshot(gen.origin.guild_id)
        return next((place for queued, place in found.queued if queued.id == gen.id), None)

    async def _typical(self, gen: Generation) -> float | None:
        return await self.service.typical_duration(gen.room_type, gen.kind)

    async def _left(self, gen: Generation, now: float) -> float | None:
        typical = await self._typical(gen)
        if typical is None or gen.created_at is None:
            return None
        return max(0.0, typical - (now - gen.created_at.timestamp()))
