"""Repositories on both backends (a SQLite file, a PostgreSQL database): intents, monotonic
status, history, usage, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from storage import (
    INTERRUPTED,
    DuplicateRequest,
    GenerationNotFound,
    GenerationRepository,
    GuildSettingsRepository,
    MetaRepository,
    UsageRepository,
    open_database,
)

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repo(db, clock) -> GenerationRepository:
    return GenerationRepository(db, clock=clock)


def gen(channel: int = 10, *, guild: int | None = 1, kind=Kind.CREATE, parent=None) -> Generation:
    origin = Origin("discord", guild_id=guild, channel_id=channel, user_id=7, user_name="ana")
    return Generation(None, kind, RoomType.POOL, Status.STARTING, origin, parent_id=parent)


async def submitted(repo: GenerationRepository, api_id: str = "api-1", **kw) -> Generation:
    intent = await repo.create_intent(gen(**kw))
    return await repo.mark_submitted(
        intent.id, generation_id=api_id, project_id="p", remaining_photos=41, next_check_at=T0
    )


@pytest.mark.asyncio
async def test_create_intent_is_pending_and_round_trips(repo, db, database_target) -> None:
    created = await repo.create_intent(gen(), request_key="k1")
    assert created.id is not None and created.status is Status.PENDING
    assert created.created_at == T0 and created.created_at.tzinfo is not None
    async with await open_database(database_target) as other:  # persisted, not cached
        again = await GenerationRepository(other).get(created.id)
    assert again == created
    assert again.origin == Origin("discord", 1, 10, 7, "ana")
    assert await repo.get(created.id + 1) is None


@pytest.mark.asyncio
async def test_duplicate_request_key_spends_nothing(repo, db) -> None:
    first = await repo.create_intent(gen(), request_key="vary:1:POOL:7:2025-06-01T12:00")
    with pytest.raises(DuplicateRequest) as info:
        await repo.create_intent(gen(), request_key="vary:1:POOL:7:2025-06-01T12:00")
    assert info.value.existing.id == first.id
    assert (await db.fetchone("SELECT count(*) FROM generations"))[0] == 1
    assert (await repo.by_request_key("vary:1:POOL:7:2025-06-01T12:00")).id == first.id


@pytest.mark.asyncio
async def test_mark_submitted_counts_usage_once(repo, db) -> None:
    usage = UsageRepository(db)
    sent = await submitted(repo, guild=None)  # CLI: guild 0
    assert (sent.status, sent.generation_id) == (Status.STARTING, "api-1")
    assert sent.remaining_photos == 41
    again = await repo.mark_submitted(
        sent.id, generation_id="api-1", project_id="p", remaining_photos=41, next_check_at=T0
    )
    assert again.status is Status.STARTING
    assert await usage.spent(0, "2025-06-01", "2025-06-01") == 1
    assert (await repo.by_generation_id("api-1")).id == sent.id
    assert await usage.latest_remaining_photos() == 41


@pytest.mark.asyncio
async def test_late_processing_never_overwrites_succeeded(repo, clock) -> None:
    g = await submitted(repo)
    clock.advance(90)
    done, became = await repo.record_check(
        g.id, status=Status.SUCCEEDED, next_check_at=None, result_urls=["https://r/1.png"]
    )
    assert became is True
    assert done.status is Status.SUCCEEDED and done.finished_at == T0 + timedelta(seconds=90)
    late, became = await repo.record_check(g.id, status=Status.PROCESSING, next_check_at=T0)
    assert (late.status, became, late.check_count) == (Status.SUCCEEDED, False, 2)
    assert late.result_urls == ["https://r/1.png"]
    contradiction, became = await repo.record_check(
        g.id, status=Status.FAILED, next_check_at=None, error="boom"
    )
    assert (contradiction.status, contradiction.error, became) == (Status.SUCCEEDED, None, False)


@pytest.mark.asyncio
async def test_became_terminal_exactly_once_over_duplicate_observations(repo) -> None:
    g = await submitted(repo)
    results = [
        await repo.record_check(g.id, status=s, next_check_at=None)
        for s in (Status.PROCESSING, Status.SUCCEEDED, Status.SUCCEEDED, Status.SUCCEEDED)
    ]
    assert [became for _, became in results] == [False, True, False, False]
    assert results[-1][0].check_count == 4


@pytest.mark.asyncio
async def test_timed_out_can_still_succeed(repo, clock) -> None:
    g = await submitted(repo)
    timed_out = await repo.mark_timed_out(g.id)
    assert timed_out.status is Status.TIMED_OUT and timed_out.finished_at is None
    assert await repo.pending() == []  # the tracker stops polling it
    stale, became = await repo.record_check(g.id, status=Status.PROCESSING, next_check_at=None)
    assert (stale.status, became) == (Status.TIMED_OUT, False)
    clock.advance(5)
    done, became = await repo.record_check(g.id, status=Status.SUCCEEDED, next_check_at=None)
    assert (done.status, became) == (Status.SUCCEEDED, True)
    assert (await repo.mark_timed_out(g.id)).status is Status.SUCCEEDED


@pytest.mark.asyncio
async def test_recover_interrupted_turns_pending_into_unknown(repo, clock) -> None:
    crashed = await repo.create_intent(gen())
    fine = await submitted(repo)
    clock.advance(30)
    fresh = await repo.create_intent(gen())
    recovered = await repo.recover_interrupted(older_than=10)
    assert [g.id for g in recovered] == [crashed.id]
    assert recovered[0].status is Status.UNKNOWN and recovered[0].error == INTERRUPTED
    assert (await repo.get(fine.id)).status is Status.STARTING
    assert (await repo.get(fresh.id)).status is Status.PENDING
    assert [g.id for g in await repo.recover_interrupted()] == [fresh.id]
    assert await repo.recover_interrupted() == []


@pytest.mark.asyncio
async def test_mark_unknown_only_before_the_api_answered(repo) -> None:
    intent = await repo.create_intent(gen())
    unknown = await repo.mark_unknown(intent.id, "read timeout")
    assert (unknown.status, unknown.error) == (Status.UNKNOWN, "read timeout")
    # The API did answer after all: submission moves it on and clears the stale error.
    sent = await repo.mark_submitted(
        intent.id, generation_id="api-9", project_id=None, remaining_photos=3, next_check_at=T0
    )
    assert (sent.status, sent.error) == (Status.STARTING, None)
    assert (await repo.mark_unknown(intent.id, "late")).status is Status.STARTING
    with pytest.raises(GenerationNotFound):
        await repo.mark_unknown(999, "x")


@pytest.mark.asyncio
async def test_pending_is_ordered_by_next_check(repo) -> None:
    a = await submitted(repo, "a")
    b = await submitted(repo, "b")
    c = await submitted(repo, "c")
    await repo.set_next_check(a.id, T0 + timedelta(seconds=30))
    await repo.set_next_check(b.id, T0 + timedelta(seconds=10))
    await repo.record_check(c.id, status=Status.FAILED, next_check_at=None, error="nsfw")
    await repo.create_intent(gen())  # not submitted: never polled
    assert [g.id for g in await repo.pending()] == [b.id, a.id]
    assert [g.id for g in await repo.pending(limit=1)] == [b.id]
    due = await repo.pending(due_before=T0 + timedelta(seconds=20))
    assert [g.id for g in due] == [b.id]


@pytest.mark.asyncio
async def test_list_channel_pages_newest_first(repo) -> None:
    ids = [(await repo.create_intent(gen(channel=10))).id for _ in range(5)]
    await repo.create_intent(gen(channel=99))
    page1 = await repo.list_channel(10, offset=0, limit=2)
    page3 = await repo.list_channel(10, offset=4, limit=2)
    assert [g.id for g in page1] == [ids[4], ids[3]]
    assert [g.id for g in page3] == [ids[0]]
    assert await repo.count_channel(10) == 5 and await repo.count_channel(1) == 0


@pytest.mark.asyncio
async def test_recent_durations_children_and_messages(repo, clock) -> None:
    parent = await submitted(repo, "p")
    for seconds, api_id in ((40, "v1"), (70, "v2")):
        child = await submitted(repo, api_id, kind=Kind.VARIATION, parent=parent.id)
        clock.advance(seconds - 5)  # seen unfinished 5 s before the end was seen
        seen = clock.now.timestamp()
        await repo.record_check(
            child.id, status=Status.PROCESSING, next_check_at=None, ended_after=seen
        )
        # an older observation never lowers the bound
        await repo.record_check(
            child.id, status=Status.PROCESSING, next_check_at=None, ended_after=seen - 9
        )
        clock.advance(5)
        await repo.record_check(child.id, status=Status.SUCCEEDED, next_check_at=None)
        # a stale "unfinished" answer after the end does not move it either
        await repo.record_check(
            child.id, status=Status.PROCESSING, next_check_at=None, ended_after=seen + 60
        )
    never_seen = await submitted(repo, "n", kind=Kind.VARIATION)
    clock.advance(20)
    await repo.record_check(never_seen.id, status=Status.SUCCEEDED, next_check_at=None)
    failed = await submitted(repo, "f", kind=Kind.VARIATION)
    await repo.record_check(failed.id, status=Status.FAILED, next_check_at=None)
    assert await repo.recent_durations(RoomType.POOL, Kind.VARIATION) == [
        (0.0, 20.0),
        (65.0, 70.0),
        (35.0, 40.0),
    ]
    assert await repo.recent_durations(RoomType.POOL, Kind.VARIATION, limit=1) == [(0.0, 20.0)]
    assert await repo.recent_durations(RoomType.TERRACE, Kind.VARIATION) == []
    assert [c.generation_id for c in await repo.children(parent.id)] == ["v1", "v2"]

    assert await repo.set_result_message(parent.id, 111) is True
    assert await repo.set_result_message(parent.id, 222) is False
    await repo.set_card_message(parent.id, 333)
    await repo.set_source_message(parent.id, 44, 555)
    got = await repo.get(parent.id)
    assert (got.result_message_id, got.card_message_id) == (111, 333)
    assert (got.source_channel_id, got.source_message_id) == (44, 555)


@pytest.mark.asyncio
async def test_usage_settings_and_meta(db) -> None:
    usage = UsageRepository(db)
    await usage.record(5, datetime(2025, 6, 1, 23, 59, tzinfo=UTC))
    await usage.record(5, datetime(2025, 6, 2, 0, 1, tzinfo=UTC), n=2)
    await usage.record(6, "2025-06-02")
    assert await usage.spent(5, "2025-06-01", "2025-06-02") == 3
    assert await usage.spent(5, "2025-06-02", "2025-06-30") == 2
    assert await usage.spent(7, "2025-01-01", "2025-12-31") == 0
    assert await usage.latest_remaining_photos() is None

    settings = GuildSettingsRepository(db)
    assert await settings.get(5) == {}
    await settings.set(5, "daily_limit", 10)
    await settings.set(5, "channel", 123)
    assert await settings.get(5) == {"daily_limit": 10, "channel": 123}
    assert await settings.delete(5, "channel") == {"daily_limit": 10}
    assert await settings.get(6) == {}

    meta = MetaRepository(db)
    assert await meta.get("command_tree_hash") is None
    await meta.set("command_tree_hash", "h1")
    await meta.set("command_tree_hash", "h2")
    assert await meta.get("command_tree_hash") == "h2"
