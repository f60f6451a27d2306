"""Several connections writing the same file at once (like the bot and the CLI) never see
"database is locked", lose no update, and agree on a single terminal transition."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from storage import Database, GenerationRepository

WRITES_PER_CONNECTION = 200


def intent() -> Generation:
    origin = Origin("discord", guild_id=1, channel_id=2, user_id=3)
    return Generation(None, Kind.CREATE, RoomType.TERRACE, Status.PENDING, origin)


def thread_writer(path: str, count: int) -> None:
    """A third, plain-sqlite3 writer on another thread, playing by the same rules."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        for _ in range(count):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO usage (guild_id, day, generations) VALUES (9, '2025-06-01', 1) "
                "ON CONFLICT (guild_id, day) DO UPDATE SET generations = generations + 1"
            )
            conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_concurrent_writers_from_two_connections_all_land(tmp_path) -> None:
    path = tmp_path / "bot.db"
    async with await Database.open(path) as first, await Database.open(path) as second:
        repos = [GenerationRepository(first), GenerationRepository(second)]
        shared = await repos[0].create_intent(intent())
        await repos[0].mark_submitted(
            shared.id, generation_id="s", project_id=None, remaining_photos=None, next_check_at=None
        )

        async def churn(repo: GenerationRepository) -> None:
            # Half new intents, half read-modify-write checks on the same row: a lost update
            # would show up as a check_count below the number of calls.
            for _ in range(WRITES_PER_CONNECTION // 2):
                await repo.create_intent(intent())
                await repo.record_check(shared.id, status=Status.PROCESSING, next_check_at=None)

        async def burst(repo: GenerationRepository) -> None:
            await asyncio.gather(*(churn(repo) for _ in range(4)))

        thread_rows = 100
        await asyncio.gather(
            burst(repos[0]),
            burst(repos[1]),
            asyncio.to_thread(thread_writer, str(path), thread_rows),
        )

        total = 2 * 4 * WRITES_PER_CONNECTION // 2
        assert (await first.fetchone("SELECT count(*) FROM generations"))[0] == total + 1
        assert (await repos[1].get(shared.id)).check_count == total
        usage = await first.fetchone("SELECT generations FROM usage WHERE guild_id = 9")
        assert usage[0] == thread_rows


@pytest.mark.asyncio
async def test_racing_terminal_observations_report_one_finish(tmp_path) -> None:
    path = tmp_path / "bot.db"
    async with await Database.open(path) as first, await Database.open(path) as second:
        repos = [GenerationRepository(first), GenerationRepository(second)]
        g = await repos[0].create_intent(intent())
        await repos[0].mark_submitted(
            g.id, generation_id="race", project_id=None, remaining_photos=None, next_check_at=None
        )
        # A webhook and the poller (different connections) both see SUCCEEDED, many times.
        results = await asyncio.gather(
            *(
                repos[i % 2].record_check(g.id, status=Status.SUCCEEDED, next_check_at=None)
                for i in range(40)
            )
        )
        assert sum(became for _, became in results) == 1
        final = await repos[1].get(g.id)
        assert final.status is Status.SUCCEEDED and final.check_count == 40
