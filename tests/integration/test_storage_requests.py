"""Double clicks in a sliding window, and refunds that do not count as spend."""

from __future__ import annotations

import pytest

from bot.domain import Kind, Status
from storage import DuplicateRequest, UsageRepository

from .test_storage import T0, clock, gen, repo, submitted  # noqa: F401 - fixtures


@pytest.mark.asyncio
async def test_same_request_within_the_window_is_a_duplicate_at_any_moment(repo, clock):  # noqa: F811
    first = await repo.create_intent(gen(), dedupe_within=30)
    clock.advance(29.9)  # across any fixed 30 s boundary: still the same double click
    with pytest.raises(DuplicateRequest) as info:
        await repo.create_intent(gen(), dedupe_within=30)
    assert info.value.existing.id == first.id
    assert (await repo.recent_duplicate(gen(), 30)).id == first.id
    clock.advance(0.2)
    assert await repo.recent_duplicate(gen(), 30) is None
    assert (await repo.create_intent(gen(), dedupe_within=30)).id != first.id


@pytest.mark.asyncio
async def test_other_type_parent_or_user_is_not_a_duplicate(repo, clock):  # noqa: F811
    parent = await submitted(repo, "api-p")
    clock.advance(31)
    await repo.create_intent(gen(kind=Kind.VARIATION, parent=parent.id), dedupe_within=30)
    other_user = gen(kind=Kind.VARIATION, parent=parent.id)
    other_user.origin = other_user.origin.__class__("discord", 1, 10, 8, "bo")
    await repo.create_intent(other_user, dedupe_within=30)
    await repo.create_intent(gen(kind=Kind.CREATE), dedupe_within=30)
    with pytest.raises(DuplicateRequest):
        await repo.create_intent(gen(kind=Kind.VARIATION, parent=parent.id), dedupe_within=30)


@pytest.mark.asyncio
async def test_refused_or_refunded_requests_can_be_asked_again(repo, clock):  # noqa: F811
    refused = await repo.create_intent(gen(), dedupe_within=30)
    await repo.mark_rejected(refused.id, "429")
    failed = await repo.create_intent(gen(), dedupe_within=30)
    await repo.mark_submitted(
        failed.id, generation_id="api-f", project_id="p", remaining_photos=1, next_check_at=T0
    )
    await repo.record_check(failed.id, status=Status.FAILED, next_check_at=None)
    assert (await repo.create_intent(gen(), dedupe_within=30)).id > failed.id


@pytest.mark.asyncio
async def test_failed_generations_are_not_counted_as_spend(db, repo, clock):  # noqa: F811
    usage = UsageRepository(db, clock=clock)
    ok = await submitted(repo, "api-ok")
    bad = await submitted(repo, "api-bad")
    assert await usage.spent(1, T0, T0) == 2
    await repo.record_check(ok.id, status=Status.SUCCEEDED, next_check_at=None, result_urls=["u"])
    await repo.record_check(bad.id, status=Status.FAILED, next_check_at=None)
    await repo.record_check(bad.id, status=Status.FAILED, next_check_at=None)  # duplicate
    assert await usage.spent(1, T0, T0) == 1


@pytest.mark.asyncio
async def test_recovery_spares_calls_in_flight(repo, clock):  # noqa: F811
    mine = await repo.create_intent(gen())
    crashed = await repo.create_intent(gen(channel=11))
    clock.advance(700)
    lost = await repo.recover_interrupted(older_than=600, exclude=[mine.id])
    assert [g.id for g in lost] == [crashed.id]
    assert (await repo.get(mine.id)).status is Status.PENDING


@pytest.mark.asyncio
async def test_a_refund_is_taken_from_the_day_it_was_counted(db, repo, clock):  # noqa: F811
    usage = UsageRepository(db, clock=clock)
    intent = await repo.create_intent(gen())
    clock.advance(24 * 3600)  # a slow answer: accepted the next day
    await repo.mark_submitted(
        intent.id,
        generation_id="api-late",
        project_id="p",
        remaining_photos=1,
        next_check_at=clock.now,
    )
    await repo.record_check(intent.id, status=Status.FAILED, next_check_at=None)
    day1, day2 = T0.date(), clock.now.date()
    assert await usage.spent(1, day1, day1) == 0
    assert await usage.spent(1, day2, day2) == 0
