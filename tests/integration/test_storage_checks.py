"""The tracker's results alone (GenerationChecks), on both backends: what one observation writes,
the refund of a failure, our deadline and the next check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import Status
from storage import GenerationNotFound, UsageRepository
from storage.generations import GenerationChecks, GenerationIntents

from .test_storage import T0, FakeClock, gen


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def checks(db, clock) -> GenerationChecks:
    return GenerationChecks(db, clock=clock)


async def live(db, clock, api_id: str = "api-1") -> int:
    intents = GenerationIntents(db, clock=clock)
    intent = await intents.create_intent(gen())
    await intents.mark_submitted(
        intent.id, generation_id=api_id, project_id="p", remaining_photos=1, next_check_at=T0
    )
    return intent.id


async def ended_after(db, id: int) -> float | None:
    return (await db.fetchone("SELECT ended_after FROM generations WHERE id = ?", (id,)))[0]


@pytest.mark.asyncio
async def test_an_observation_bounds_the_end_while_live_and_keeps_results(db, clock, checks):
    id = await live(db, clock)
    later = T0 + timedelta(seconds=20)
    seen, _ = await checks.record_check(
        id, status=Status.PROCESSING, next_check_at=later, ended_after=later
    )
    assert (seen.status, seen.next_check_at, seen.check_count) == (Status.PROCESSING, later, 1)
    await checks.record_check(id, status=Status.PROCESSING, next_check_at=later, ended_after=T0)
    assert await ended_after(db, id) == later.timestamp()  # the latest sighting is kept
    clock.advance(30)
    done, became = await checks.record_check(
        id,
        status=Status.SUCCEEDED,
        next_check_at=None,
        result_urls=("a", "b"),
        variation_number=2,
        ended_after=clock.now,
    )
    assert became and done.result_urls == ["a", "b"] and done.variation_number == 2
    assert done.finished_at == clock.now and await ended_after(db, id) == clock.now.timestamp()
    clock.advance(30)  # once finished, the bound is history
    await checks.record_check(
        id, status=Status.SUCCEEDED, next_check_at=None, ended_after=clock.now
    )
    assert await ended_after(db, id) == done.finished_at.timestamp()


@pytest.mark.asyncio
async def test_a_failure_gives_its_credit_back_once(db, clock, checks) -> None:
    usage = UsageRepository(db, clock=clock)
    id = await live(db, clock)
    assert await usage.spent(1, T0, T0) == 1
    failed, became = await checks.record_check(
        id, status=Status.FAILED, next_check_at=None, error="nsfw"
    )
    assert became and (failed.status, failed.error) == (Status.FAILED, "nsfw")
    await checks.record_check(id, status=Status.FAILED, next_check_at=None)
    await checks.record_check(id, status=Status.SUCCEEDED, next_check_at=None)  # contradiction
    assert await usage.spent(1, T0, T0) == 0
    assert (await checks.mark_timed_out(id)).status is Status.FAILED


@pytest.mark.asyncio
async def test_our_deadline_and_the_next_check(db, clock, checks) -> None:
    id = await live(db, clock)
    soon = T0 + timedelta(seconds=5)
    assert (await checks.set_next_check(id, soon)).next_check_at == soon
    timed_out = await checks.mark_timed_out(id)
    assert timed_out.status is Status.TIMED_OUT and timed_out.finished_at is None
    assert (await checks.mark_timed_out(id)).status is Status.TIMED_OUT
    with pytest.raises(GenerationNotFound):
        await checks.record_check(999, status=Status.SUCCEEDED, next_check_at=None)
