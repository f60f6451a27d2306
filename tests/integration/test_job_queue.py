"""The queue's use case against the sandbox, a real database and the real tracker: queued work
goes through the very same paid call when it starts; whatever stops it before that call spends
nothing (a gone picture: refused; a stop: back in its place); where a job stands is learnt."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain import Kind, Origin, RoomType, Status
from bot.service.queue import JobQueue, plan
from bot.teams.policy import Policy
from tests.support.harness import harness
from tests.support.wait import until

ORIGIN = Origin("discord", guild_id=5, channel_id=50, user_id=7)


async def create(h, cap: int = 1):
    return await h.service.create(
        photo_url=f"{h.files.url}/photo.png", mask_url=f"{h.files.url}/mask.png", width=96,
        height=64, room_type=RoomType.POOL, origin=ORIGIN, policy=Policy(concurrent=cap),
    )  # fmt: skip


def queue_of(h, cap: int = 1) -> JobQueue:
    async def policy(guild_id: int) -> Policy:
        return Policy(concurrent=cap)

    queue = JobQueue(h.service, policy)

    async def stored(gen, parent):
        return gen.photo_url, gen.mask_url

    queue.urls_for = stored
    return queue


@pytest.mark.asyncio
async def test_queued_work_is_sent_on_the_one_paid_path_in_its_turn(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        queue = queue_of(h)
        first = await create(h)
        waiting = [await create(h), await create(h)]
        assert [g.status for g in waiting] == [Status.QUEUED] * 2
        assert sandbox.state.calls["generate"] == 1
        assert await queue.pump(5) == []  # the slot is taken
        await until(lambda: len(h.finished(first.id)) == 1)
        (started,) = await queue.pump(5)
        assert started.problem is None and started.generation.id == waiting[0].id
        # submitted like any other: the API's id recorded right after the call, tracked
        assert started.generation.generation_id and started.generation.status is Status.STARTING
        assert sandbox.state.calls["generate"] == 2
        await until(lambda: len(h.finished(waiting[0].id)) == 1)
        assert [s.generation.id for s in await queue.pump(5)] == [waiting[1].id]


@pytest.mark.asyncio
async def test_a_gone_picture_refuses_the_job_and_the_next_one_starts(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        queue = queue_of(h, cap=1)
        first = await create(h)
        gone, after = await create(h), await create(h)

        async def urls(gen, parent):
            if gen.id == gone.id:
                raise LookupError("its message was deleted")
            return gen.photo_url, gen.mask_url

        queue.urls_for = urls
        await until(lambda: len(h.finished(first.id)) == 1)
        refused, started = await queue.pump(5)
        assert isinstance(refused.problem, LookupError)
        assert refused.generation.status is Status.REJECTED  # nothing sent, nothing spent
        assert started.generation.id == after.id and started.problem is None
        assert sandbox.state.calls["generate"] == 2


@pytest.mark.asyncio
async def test_stopped_before_the_paid_call_it_goes_back_in_its_place(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        queue = queue_of(h)
        first = await create(h)
        queued = await create(h)
        asked = asyncio.Event()

        async def slow(gen, parent):  # the process is stopped while it fetches the URLs
            asked.set()
            await asyncio.sleep(3600)

        queue.urls_for = slow
        await until(lambda: len(h.finished(first.id)) == 1)
        pumping = asyncio.create_task(queue.pump(5))
        await asyncio.wait_for(asked.wait(), 10)
        assert (await h.repo.get(queued.id)).status is Status.PENDING
        pumping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pumping
        assert (await h.repo.get(queued.id)).status is Status.QUEUED
        assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_where_a_job_stands_is_learnt_from_finished_ones(tmp_path, sandbox, files):
    sandbox.state.config.processing_seconds = 0.3
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        queue = queue_of(h, cap=1)
        assert (await queue.place(await create(h, cap=0))) is None  # not queued
        for _ in range(3):  # three finished ones: enough history to say how long they take
            await until(lambda: not h.tracker.tracked)
            await create(h, cap=0)
        await until(lambda: len(h.finished()) == 4)
        typical = await h.service.typical_duration(RoomType.POOL, Kind.CREATE)
        assert typical is not None and 0.2 < typical < 5
        sandbox.state.config.processing_seconds = 600
        running = await create(h)
        waiting = [await create(h), await create(h)]
        found = await queue.snapshot(5)
        assert [g.id for g, _ in found.running] == [running.id]
        places = [place for _, place in found.queued]
        assert [p.ahead for p in places] == [1, 2]
        # the first starts when the running one usually ends, the second one usual run later
        assert places[0].wait is not None and places[0].wait <= typical
        assert places[1].wait == pytest.approx(places[0].wait + typical)
        later = await queue.place(waiting[1])  # asked again a moment later: a moment less
        assert later.ahead == 2 and later.wait == pytest.approx(places[1].wait, abs=0.5)


def test_the_plan_starts_each_job_on_the_first_free_slot():
    # two slots: one ends in 10 s, one is free; jobs of 30 s, 20 s, 5 s wait in order
    places = plan(2, [10.0], [30.0, 20.0, 5.0])
    assert [(p.ahead, p.wait) for p in places] == [(1, 0.0), (2, 10.0), (3, 30.0)]
    # a running one past its usual end may end any moment; without history nothing is promised
    assert plan(1, [0.0], [30.0])[0].wait == 0.0
    assert [p.wait for p in plan(1, [None], [30.0])] == [None]
    assert [p.wait for p in plan(1, [5.0], [None, 30.0])] == [5.0, None]
