"""`GenerationTracker`: follows every pending generation to its end.

One supervisor task sleeps until the earliest next-check time in a heap (queue.py), or until a
callback makes a check immediate; it never scans the generations it follows. Each check asks
the API (`get`), persists the observation monotonically and emits events. A callback is only a
hint, and trusted to come only while callbacks are seen arriving (health.py): otherwise the
generation is polled exactly as without a webhook. Nothing here imports discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import Generation, Kind, RoomType, Status
from bot.teams.credentials import CredentialsError
from bot.tracking.events import EventHub, Subscriber, TrackerEvent
from bot.tracking.health import CallbackHealth
from bot.tracking.learning import LearntDurations
from bot.tracking.leasing import LeaseKeeper
from bot.tracking.schedule import PollPolicy
from bot.tracking.supervisor import CheckSupervisor
from storage import GenerationRepository, LeaseLost, Leases

log = logging.getLogger(__name__)


def _ts(value: datetime | None, default: float) -> float:
    return value.timestamp() if value else default


class GenerationTracker(CheckSupervisor):
    def __init__(
        self,
        client: ExteriorClient,
        repo: GenerationRepository,
        *,
        policy: PollPolicy | None = None,
        deadline: float = 1800.0,
        webhooks: bool = False,
        concurrency: int = 4,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        leases: Leases | None = None,
    ):
        self.client = client
        # Which client follows a generation: the one of the credentials it was started with
        # (set by the composition root when servers may bring their own key).
        self.client_for: Callable[[Generation], Awaitable[ExteriorClient]] = self._default_client
        self.repo = repo
        self.policy = policy or PollPolicy()
        self.deadline = deadline
        self.webhooks = webhooks
        self._rng = rng or random.Random()
        super().__init__(concurrency=concurrency, clock=clock, retry_after=self.policy.max_interval)
        self._by_api_id: dict[str, int] = {}
        self._early_hints: dict[int, float] = {}
        self._called_back: set[int] = set()  # the next check was made due by a callback
        self.durations = LearntDurations(repo, self.policy)
        self.events = EventHub()
        self.health = CallbackHealth(repo)  # composition root names the URL (health.where)
        # Several processes on one database: follow only what this one holds a lease on.
        self.leases = leases if leases is not None and leases.shared else None
        self._keeper = (
            LeaseKeeper(
                self.leases,
                hint=self._hint_followed,
                resume=self.resume,
                due_later_than=lambda row, now: self._due.get(row, 0.0) > now,
                clock=self._clock,
            )
            if self.leases is not None
            else None
        )
        self._leasing: asyncio.Task | None = None

    async def _default_client(self, gen: Generation) -> ExteriorClient:
        return self.client

    # -- lifecycle ---------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> None:
        self.events.subscribe(callback)

    async def start(self, *, resume: bool = True) -> int:
        """Start the supervisor; with `resume`, follow every unfinished generation again."""
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._run(), name="generation-tracker")
        if self._keeper is not None and self._leasing is None:
            self._leasing = asyncio.create_task(self._keeper.run(), name="generation-leases")
        return await self.resume() if resume else 0

    async def resume(self) -> int:
        """Follow every unfinished generation in the database (with leases: every one no live
        process holds); returns how many."""
        if self.leases is not None and self._keeper is not None:
            self._keeper.take_over = True  # from now on, also what processes that die leave
            resumed = [g for g in await self.leases.claim_live() if g.id not in self._known]
        else:
            resumed = await self.repo.pending()
        for gen in resumed:
            self._schedule(gen, gen.next_check_at.timestamp() if gen.next_check_at else 0.0)
        if resumed:
            log.info("tracker resumed %d unfinished generation(s)", len(resumed))
        return len(resumed)

    async def stop(self) -> None:
        owned = (self._supervisor, self._leasing, *self._checks, *self.events.deliveries)
        tasks = [t for t in owned if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._supervisor = self._leasing = None
        if self.leases is not None:
            with contextlib.suppress(Exception):  # best effort: leases expire anyway
                await self.leases.release_all()

    async def drain(self) -> None:
        """Wait until events already emitted have been delivered (tests, CLI)."""
        await self.events.drain()

    @property
    def tracked(self) -> int:
        """Generations followed now (waiting for a check, or being checked)."""
        return len(self._known)

    # -- inputs ------------------------------------------------------------------------------

    async def track(self, gen: Generation) -> None:
        """Follow a freshly submitted generation (its next_check_at is already persisted)."""
        if gen.next_check_at is None:
            gen.next_check_at = datetime.fromtimestamp(await self.first_check_at(gen), UTC)
        self._schedule(gen, gen.next_check_at.timestamp())

    async def first_check_at(self, gen: Generation) -> float:
        model = await self.durations.model(gen.room_type, gen.kind)
        created = _ts(gen.created_at, self._clock())
        delay = self.policy.next_delay(
            max(0.0, self._clock() - created),
            model,
            first=True,
            webhook=await self._trusts_callback(gen),
            rng=self._rng,
        )
        return min(self._clock() + delay, created + self.deadline)

    async def _trusts_callback(self, gen: Generation) -> bool:
        """Wait for this generation's callback (polls only a safety net)? Only when it asked
        for one and callbacks are seen arriving; else poll as without a webhook."""
        return self.webhooks and gen.callback_sent and await self.health.trusted()

    def hint(self, generation_id: str) -> bool:
        """A callback said this generation ended: check it now. False if we do not follow it."""
        row_id = self._by_api_id.get(generation_id)
        return row_id is not None and self.hint_row(row_id)

    async def adopt(self, gen: Generation, generation_id: str) -> None:
        """Record the API id of an UNKNOWN generation (learnt from its callback), check now."""
        gen = await self.repo.mark_submitted(
            gen.id,
            generation_id=generation_id,
            project_id=gen.project_id,
            remaining_photos=None,
            next_check_at=self._clock(),
        )
        self._schedule(gen, self._clock())

    def recheck(self, gen: Generation) -> None:
        """Check a generation we stopped following (TIMED_OUT) once more, now."""
        self._schedule(gen, self._clock())

    async def hint_anywhere(self, row_id: int) -> None:
        """A callback for this row: check it now if this process follows it, and write it
        down for whichever process does (it looks every second), or takes over if the
        follower dies before checking."""
        self.hint_row(row_id)
        if self.leases is not None:
            await self.leases.hint(row_id)

    def hint_row(self, row_id: int) -> bool:
        """A callback came for this row: check it now. False if this process does not
        follow it (then it is remembered briefly: the callback may beat our own record)."""
        self.health.forget()  # a callback arrived: the verdict may change
        if row_id in self._running:
            self._rechecks.add(row_id)
            self._called_back.add(row_id)
            return True
        if row_id not in self._due:
            if row_id not in self._known:
                now = self._clock()
                # bounded: hints for rows nobody here will ever follow must not pile up
                self._early_hints = {r: t for r, t in self._early_hints.items() if t > now - 60}
                self._early_hints[row_id] = now
            return False
        self._called_back.add(row_id)
        self._plan(row_id, self._clock())
        return True

    def _hint_followed(self, row_id: int) -> None:
        """A hint another process wrote down (NOTIFY): only the follower acts on it."""
        if row_id in self._known:
            self.hint_row(row_id)

    async def check_now(self, gen: Generation) -> Generation:
        """Ask the API once, persist and emit as usual (status command, TIMED_OUT ones)."""
        if gen.id in self._running:  # a check is under way: its answer will do
            self._rechecks.add(gen.id)
            return self._known.get(gen.id, gen)
        self._known[gen.id] = gen
        if gen.id in self._due:  # it runs now, not also at its planned time
            self._after[gen.id] = self._due.get(gen.id) or self._clock()
            self._due.discard(gen.id)
        self._running.add(gen.id)
        try:
            return await self._check(gen.id)
        finally:
            self._check_ended(gen.id)

    # -- the supervisor ----------------------------------------------------------------------

    def _schedule(self, gen: Generation, when: float) -> None:
        self._known[gen.id] = gen
        if gen.generation_id:
            self._by_api_id[gen.generation_id] = gen.id
        if self._early_hints.pop(gen.id, None) is not None:
            when = self._clock()
            self._called_back.add(gen.id)
        self._plan(gen.id, when)

    async def _check(self, row: int) -> Generation:
        gen = self._known[row]
        previous = gen.status
        asked = self._clock()
        called_back = row in self._called_back
        self._called_back.discard(row)
        try:
            client = await self.client_for(gen)
            state = await client.get(gen.generation_id)
        except (errors.ApiError, CredentialsError) as exc:
            log.warning("get for generation %s (%s) failed: %s", row, gen.generation_id, exc)
            state = None
        now = self._clock()
        elapsed = now - _ts(gen.created_at, now)
        if state is None:
            if elapsed >= self.deadline and not gen.status.is_terminal:
                return await self._time_out(gen, previous)
            self._after[row] = now + self.policy.cold_interval(elapsed)
            return gen
        nxt = None
        if not state.status.is_terminal and elapsed < self.deadline:
            model = await self.durations.model(gen.room_type, gen.kind)
            webhook = await self._trusts_callback(gen)
            delay = self.policy.next_delay(elapsed, model, webhook=webhook, rng=self._rng)
            nxt = min(now + delay, _ts(gen.created_at, now) + self.deadline)
        try:
            gen, finished = await self.repo.record_check(
                row,
                status=state.status,
                next_check_at=nxt,
                result_urls=state.urls or None,
                variation_number=state.variation_number,
                ended_after=self._ended_after(state.status, asked, called_back),
                asked_at=asked,
            )
        except LeaseLost:  # another process took it over (ours ran out): it records and posts
            log.info("generation %s is followed by another process now", row)
            self._forget(row)
            return await self.repo.get(row) or gen
        self._known[row] = gen
        if finished:
            self.durations.finished(gen.room_type, gen.kind)
            self.health.forget()
            self._forget(row)
            self.events.emit(TrackerEvent("finished", gen, previous))
        elif gen.status.is_terminal:
            # Another process (the CLI, a second tracker) finished it; subscribers still get
            # told, and delivery is idempotent.
            self._forget(row)
            self.events.emit(TrackerEvent("finished", gen, previous))
        elif nxt is None:
            return await self._time_out(gen, previous)
        else:
            # a callback written down while we asked (another process got it) wins
            self._after[row] = min(nxt, _ts(gen.next_check_at, nxt))
            if gen.status is not previous:
                self.events.emit(TrackerEvent("status", gen, previous))
        return gen

    async def _time_out(self, gen: Generation, previous: Status) -> Generation:
        gen = await self.repo.mark_timed_out(gen.id)
        self._forget(gen.id)
        if gen.status is Status.TIMED_OUT and previous is not Status.TIMED_OUT:
            log.warning("generation %s timed out after %g s", gen.id, self.deadline)
            self.events.emit(TrackerEvent("timed_out", gen, previous))
        return gen

    def _forget(self, row: int) -> None:
        self._due.discard(row)
        self._after.pop(row, None)
        self._called_back.discard(row)
        gen = self._known.pop(row, None)
        if gen and gen.generation_id:
            self._by_api_id.pop(gen.generation_id, None)

    def _ended_after(self, status: Status, asked: float, called_back: bool) -> float | None:
        """What this answer says about when the generation ended (see bot.tracking.durations)."""
        if not status.is_terminal:
            return asked  # unfinished when we asked
        if called_back:  # a callback said it ended: it did shortly before
            return asked - self.policy.webhook_slack
        return None

    async def typical_duration(self, room_type: RoomType, kind: Kind) -> float | None:
        return await self.durations.typical(room_type, kind)
