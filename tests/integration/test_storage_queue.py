"""The queue's storage on both backends: past the cap a request is QUEUED (nothing spent), starts
in id order only when a slot frees, once; Cancel and a stopped start spend nothing; a crash
between the dequeue and the paid call is recovered like any interrupted intent."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.domain import Status
from storage import Cap, CapReached, DuplicateRequest, GenerationRepository, UsageRepository

from .test_storage import T0, FakeClock, gen


def someone_else(**kw):
    """The same request by another member (no double click of ours)."""
    made = gen(**kw)
    made.origin = replace(made.origin, user_id=8)
    return made


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repo(db, clock) -> GenerationRepository:
    return GenerationRepository(db, clock=clock)


async def end(repo, row: int, api_id: str) -> None:
    await repo.mark_submitted(
        row, generation_id=api_id, project_id="p", remaining_photos=None, next_check_at=T0
    )
    await repo.record_check(row, status=Status.SUCCEEDED, next_check_at=None, result_urls=["u"])


@pytest.mark.asyncio
async def test_past_the_cap_requests_wait_in_order_and_start_one_per_free_slot(
    repo, db, clock
) -> None:
    running = await repo.create_intent(gen(), concurrent=1)
    assert running.status is Status.PENDING and running.queued_at is None
    waiting = [await repo.create_intent(gen(channel=c), concurrent=1) for c in (11, 12, 13)]
    assert [g.status for g in waiting] == [Status.QUEUED] * 3
    assert all(g.queued_at == T0 for g in waiting)
    assert await repo.queued_guilds() == [1]
    # another server's cap is its own
    assert (await repo.create_intent(gen(guild=2), concurrent=1)).status is Status.PENDING
    # queued work is not spend: nothing counted in usage, nothing in flight
    assert await UsageRepository(db).spent(1, "2025-06-01", "2025-06-01") == 0
    assert await repo.dequeue(1, 1) is None  # the slot is taken
    clock.advance(30)
    await end(repo, running.id, "a1")
    started = await repo.dequeue(1, 1)
    assert started.id == waiting[0].id and started.status is Status.PENDING
    # its intent is written at its start: durations and recovery count from there
    assert started.created_at > started.queued_at
    assert await repo.dequeue(1, 1) is None  # PENDING holds the slot until it ends
    # a cap raised (or removed) lets the others start, still in order
    assert [(await repo.dequeue(1, 0)).id for _ in range(2)] == [g.id for g in waiting[1:]]
    assert await repo.dequeue(1, 0) is None and await repo.queued_guilds() == []


@pytest.mark.asyncio
async def test_a_new_request_never_jumps_the_queue(repo) -> None:
    first = await repo.create_intent(gen(), concurrent=2)
    queued = await repo.create_intent(gen(channel=11), concurrent=1)  # cap lowered: it waits
    assert (first.status, queued.status) == (Status.PENDING, Status.QUEUED)
    # the cap is back to 2 and a slot is free, but one waits already: this one waits behind
    assert (await repo.create_intent(gen(channel=12), concurrent=2)).status is Status.QUEUED
    assert (await repo.dequeue(1, 2)).id == queued.id


@pytest.mark.asyncio
async def test_cancel_spends_nothing_and_a_started_one_cannot_be_cancelled(repo) -> None:
    await repo.create_intent(gen(), concurrent=1)
    queued = await repo.create_intent(gen(channel=11), concurrent=1)
    cancelled = await repo.cancel_queued(queued.id)
    assert cancelled.status is Status.CANCELLED and cancelled.finished_at is not None
    assert await repo.cancel_queued(queued.id) is None  # once
    assert await repo.dequeue(1, 0) is None  # nothing left to start
    # cancelled work frees its unit of a cap
    cap = Cap("per_user_day", 2, 1, T0, user_id=7)
    again = await repo.create_intent(gen(channel=11), concurrent=1, caps=[cap])
    assert again.status is Status.QUEUED
    started = await repo.dequeue(1, 0)
    assert await repo.cancel_queued(started.id) is None


@pytest.mark.asyncio
async def test_queued_work_holds_its_unit_of_a_cap_and_its_double_click(repo) -> None:
    cap = Cap("per_user_day", 2, 1, T0, user_id=7)
    await repo.create_intent(someone_else(), concurrent=1)  # holds the slot
    await repo.create_intent(gen(), concurrent=1, caps=[cap])  # queued
    with pytest.raises(DuplicateRequest):  # the same click again, while it waits
        await repo.create_intent(gen(), concurrent=1, dedupe_within=30)
    await repo.create_intent(gen(channel=12), concurrent=1, caps=[cap])
    with pytest.raises(CapReached):  # two queued ones hold both units
        await repo.create_intent(gen(channel=13), concurrent=1, caps=[cap])


@pytest.mark.asyncio
async def test_a_start_stopped_before_the_paid_call_goes_back_in_its_place(repo) -> None:
    await repo.create_intent(gen(), concurrent=1)
    queued = [await repo.create_intent(gen(channel=c), concurrent=1) for c in (11, 12)]
    started = await repo.dequeue(1, 0)
    assert await repo.back_in_queue(started.id)
    assert not await repo.back_in_queue(started.id)
    assert (await repo.get(started.id)).status is Status.QUEUED
    assert (await repo.dequeue(1, 0)).id == queued[0].id  # still first in line


@pytest.mark.asyncio
async def test_a_crash_after_the_dequeue_is_an_interrupted_intent(repo, clock) -> None:
    first = await repo.create_intent(gen(), concurrent=1)
    await repo.create_intent(gen(channel=11), concurrent=1)
    queued = await repo.create_intent(gen(channel=12), concurrent=1)
    await end(repo, first.id, "a1")
    lost = await repo.dequeue(1, 1)  # ... and the process dies before `generate` is sent
    clock.advance(599)
    assert await repo.recover_interrupted(older_than=600) == []  # its call may be in flight
    assert await repo.dequeue(1, 1) is None  # and it holds its slot meanwhile
    clock.advance(2)
    recovered = await repo.recover_interrupted(older_than=600)
    # outcome unknown (a credit may be spent), never re-sent; the slot is free again
    assert [g.id for g in recovered] == [lost.id] and recovered[0].status is Status.UNKNOWN
    assert (await repo.dequeue(1, 1)).id == queued.id


@pytest.mark.asyncio
async def test_racing_starts_take_one_slot_once(repo, db) -> None:
    await repo.create_intent(gen(), concurrent=1)
    for channel in range(11, 21):
        await repo.create_intent(gen(channel=channel), concurrent=1)
    first = (await db.fetchone("SELECT min(id) FROM generations"))[0]
    await end(repo, first, "a1")
    others = [GenerationRepository(db) for _ in range(8)]  # callers sharing one database
    started = await asyncio.gather(*(r.dequeue(1, 1) for r in others))
    assert len([g for g in started if g is not None]) == 1
