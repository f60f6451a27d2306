"""`GenerationTracker`: follows every pending generation to its end.

One supervisor task wakes at the earliest next-check time, asks the API (`get`), persists the
observation monotonically and emits events. A webhook callback is only a hint that makes a check
immediate. Nothing here imports discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.domain import Generation, Kind, RoomType, Status
from bot.teams.credentials import CredentialsError
from bot.tracking.durations import DurationModel, Observation
from bot.tracking.schedule import PollPolicy
from storage import GenerationRepository, LeaseLost, Leases

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackerEvent:
    kind: str  # "status" (still running), "finished" (SUCCEEDED/FAILED) or "timed_out"
    generation: Generation
    previous: Status


Subscriber = Callable[[TrackerEvent], Awaitable[None]]


def _ts(value: datetime | None, default: float) -> float:
    return value.timestamp() if value else default


class GenerationTracker:
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
        self._clock = clock
        self._rng = rng or random.Random()
        self._due: dict[int, float] = {}  # row id -> unix time of the next check
        self._known: dict[int, Generation] = {}
        self._by_api_id: dict[str, int] = {}
        self._early_hints: dict[int, float] = {}
        self._running: set[int] = set()  # rows whose check is in flight
        self._rechecks: dict[int, bool] = {}  # hinted while in flight
        self._checks: set[asyncio.Task] = set()
        self._models: dict[tuple[RoomType, Kind], DurationModel | None] = {}
        self._subscribers: list[Subscriber] = []
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(concurrency)
        self._supervisor: asyncio.Task | None = None
        self._deliveries: set[asyncio.Task] = set()
        # Several processes on one database: follow only what this one holds a lease on.
        self.leases = leases if leases is not None and leases.shared else None
        self._leasing: asyncio.Task | None = None
        self._take_over = False  # a one-shot CLI follows only its own generations

    async def _default_client(self, gen: Generation) -> ExteriorClient:
        return self.client

    # -- lifecycle ---------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> None:
        self._subscribers.append(callback)

    async def start(self, *, resume: bool = True) -> int:
        """Start the supervisor; with `resume`, follow every unfinished generation again."""
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._run(), name="generation-tracker")
        if self.leases is not None and self._leasing is None:
            self._leasing = asyncio.create_task(self._keep_leases(), name="generation-leases")
        return await self.resume() if resume else 0

    async def resume(self) -> int:
        """Follow every unfinished generation in the database (with leases: every one no live
        process holds); returns how many."""
        if self.leases is not None:
            self._take_over = True  # from now on, also what processes that die leave behind
            resumed = [g for g in await self.leases.claim_live() if g.id not in self._known]
        else:
            resumed = await self.repo.pending()
        for gen in resumed:
            self._schedule(gen, gen.next_check_at.timestamp() if gen.next_check_at else 0.0)
        if resumed:
            log.info("tracker resumed %d unfinished generation(s)", len(resumed))
        return len(resumed)

    async def stop(self) -> None:
        owned = (self._supervisor, self._leasing, *self._checks, *self._deliveries)
        tasks = [t for t in owned if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._supervisor = self._leasing = None
        if self.leases is not None:
            with contextlib.suppress(Exception):  # best effort: leases expire anyway
                await self.leases.release_all()

    async def _keep_leases(self) -> None:
        """Renew this process's leases, take over the generations of processes that died, and
        act on callbacks another process wrote down for generations this one follows."""
        assert self.leases is not None
        tick = min(1.0, self.leases.lease.seconds / 3)
        while True:
            await asyncio.sleep(tick)
            try:
                await self.leases.renew()
                if self._take_over:
                    await self.resume()
                now = self._clock()
                for row in await self.leases.due_mine():
                    if self._due.get(row, 0.0) > now:
                        self.hint_row(row)
            except Exception:  # the database may be briefly away: try again next tick
                log.exception("lease upkeep failed")

    async def drain(self) -> None:
        """Wait until events already emitted have been delivered (tests, CLI)."""
        while self._deliveries:
            await asyncio.gather(*self._deliveries, return_exceptions=True)

    @property
    def tracked(self) -> int:
        return len(self._due)

    # -- inputs ------------------------------------------------------------------------------

    async def track(self, gen: Generation) -> None:
        """Follow a freshly submitted generation (its next_check_at is already persisted)."""
        if gen.next_check_at is None:
            gen.next_check_at = datetime.fromtimestamp(await self.first_check_at(gen), UTC)
        self._schedule(gen, gen.next_check_at.timestamp())

    async def first_check_at(self, gen: Generation) -> float:
        model = await self._model(gen.room_type, gen.kind)
        created = _ts(gen.created_at, self._clock())
        delay = self.policy.next_delay(
            max(0.0, self._clock() - created),
            model,
            first=True,
            webhook=self.webhooks,
            rng=self._rng,
        )
        return min(self._clock() + delay, created + self.deadline)

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
        if row_id in self._running:
            self._rechecks[row_id] = True
            return True
        if row_id not in self._due:
            if row_id not in self._known:
                # The callback may beat our own record of the API's answer: remember it briefly.
                self._early_hints[row_id] = self._clock()
            return False
        self._due[row_id] = self._clock()
        self._wake.set()
        return True

    async def check_now(self, gen: Generation) -> Generation:
        """Ask the API once, persist and emit as usual (status command, TIMED_OUT ones)."""
        if gen.id in self._running:  # a check is under way: its answer will do
            self._rechecks[gen.id] = True
            return self._known.get(gen.id, gen)
        self._known[gen.id] = gen
        self._running.add(gen.id)
        try:
            return await self._check(gen.id)
        finally:
            self._running.discard(gen.id)

    # -- the supervisor ----------------------------------------------------------------------

    def _schedule(self, gen: Generation, when: float) -> None:
        self._known[gen.id] = gen
        if gen.generation_id:
            self._by_api_id[gen.generation_id] = gen.id
        if self._early_hints.pop(gen.id, None) is not None:
            when = self._clock()
        self._due[gen.id] = when
        self._wake.set()

    async def _run(self) -> None:
        # Each check runs in its own owned task, so one slow `get` (retries, long timeouts)
        # never delays the other generations, their hints or their deadlines.
        while True:
            self._wake.clear()
            now = self._clock()
            waiting = {r: w for r, w in self._due.items() if r not in self._running}
            due = [row for row, when in waiting.items() if when <= now]
            if not due:
                wait = min(waiting.values(), default=now + 3600) - now
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, wait)):
                        await self._wake.wait()
                continue
            for row in due:
                self._due.pop(row, None)
                self._running.add(row)
                task = asyncio.create_task(self._guarded_check(row), name=f"check-{row}")
                self._checks.add(task)
                task.add_done_callback(self._checks.discard)

    async def _guarded_check(self, row: int) -> None:
        try:
            async with self._limit:
                await self._check(row)
        except Exception:  # one bad generation must not stop the others
            log.exception("check of generation %s failed; retrying later", row)
            self._due[row] = self._clock() + self.policy.max_interval
        finally:
            self._running.discard(row)
            if self._rechecks.pop(row, None) and row in self._due:
                self._due[row] = self._clock()  # a hint came while we were asking
            self._wake.set()

    async def _check(self, row: int) -> Generation:
        gen = self._known[row]
        previous = gen.status
        asked = self._clock()
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
            self._due[row] = now + self.policy.cold_interval(elapsed)
            return gen
        nxt = None
        if not state.status.is_terminal and elapsed < self.deadline:
            model = await self._model(gen.room_type, gen.kind)
            delay = self.policy.next_delay(elapsed, model, webhook=self.webhooks, rng=self._rng)
            nxt = min(now + delay, _ts(gen.created_at, now) + self.deadline)
        try:
            gen, finished = await self.repo.record_check(
                row,
                status=state.status,
                next_check_at=nxt,
                result_urls=state.urls or None,
                variation_number=state.variation_number,
                ended_after=self._ended_after(gen, state.status, asked),
                asked_at=asked,
            )
        except LeaseLost:  # another process took it over (ours ran out): it records and posts
            log.info("generation %s is followed by another process now", row)
            self._forget(row)
            return await self.repo.get(row) or gen
        self._known[row] = gen
        if finished:
            self._models.pop((gen.room_type, gen.kind), None)
            self._forget(row)
            self._emit(TrackerEvent("finished", gen, previous))
        elif gen.status.is_terminal:
            # Another process (the CLI, a second tracker) finished it; subscribers still get
            # told, and delivery is idempotent.
            self._forget(row)
            self._emit(TrackerEvent("finished", gen, previous))
        elif nxt is None:
            return await self._time_out(gen, previous)
        else:
            # a callback written down while we asked (another process got it) wins
            self._due[row] = min(nxt, _ts(gen.next_check_at, nxt))
            if gen.status is not previous:
                self._emit(TrackerEvent("status", gen, previous))
        return gen

    async def _time_out(self, gen: Generation, previous: Status) -> Generation:
        gen = await self.repo.mark_timed_out(gen.id)
        self._forget(gen.id)
        if gen.status is Status.TIMED_OUT and previous is not Status.TIMED_OUT:
            log.warning("generation %s timed out after %g s", gen.id, self.deadline)
            self._emit(TrackerEvent("timed_out", gen, previous))
        return gen

    def _forget(self, row: int) -> None:
        self._due.pop(row, None)
        gen = self._known.pop(row, None)
        if gen and gen.generation_id:
            self._by_api_id.pop(gen.generation_id, None)

    def _ended_after(self, gen: Generation, status: Status, asked: float) -> float | None:
        """What this answer says about when the generation ended (see bot.tracking.durations)."""
        if not status.is_terminal:
            return asked  # unfinished when we asked
        planned = gen.next_check_at.timestamp() if gen.next_check_at else None
        if self.webhooks and planned is not None and asked < planned - self.policy.webhook_slack:
            # Asked ahead of plan, so a callback said it ended: it did shortly before.
            return asked - self.policy.webhook_slack
        return None

    async def typical_duration(self, room_type: RoomType, kind: Kind) -> float | None:
        """The learnt median duration in seconds (None while history is too short): what the
        job cards promise, from the same model the schedule uses."""
        model = await self._model(room_type, kind)
        return model.quantile(0.5) if model is not None else None

    async def _model(self, room_type: RoomType, kind: Kind) -> DurationModel | None:
        key = (room_type, kind)
        if key not in self._models:
            bounds = await self.repo.recent_durations(room_type, kind)
            self._models[key] = self.policy.learn([Observation(*b) for b in bounds])
        return self._models[key]

    def _emit(self, event: TrackerEvent) -> None:
        for callback in self._subscribers:
            task = asyncio.create_task(self._deliver(callback, event))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)

    @staticmethod
    async def _deliver(callback: Subscriber, event: TrackerEvent) -> None:
        try:
            await callback(event)
        except Exception:
            log.exception(
                "subscriber failed on %s event of generation %s", event.kind, event.generation.id
            )
