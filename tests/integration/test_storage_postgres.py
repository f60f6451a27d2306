"""The PostgreSQL backend's own rules: migrations twin SQLite's, run once under concurrent
starters, roll back on failure, refuse a newer schema; row locks keep read-modify-write atomic
across connections (what SQLite's single write lock gives for free)."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from bot.domain import Generation, Kind, Origin, RoomType, Status
from storage import (
    DatabaseTooNewError,
    DuplicateRequest,
    GenerationRepository,
    GuildSettingsRepository,
    MigrationError,
    UsageRepository,
    load_migrations,
    open_database,
)
from storage.postgres import PostgresDatabase, load_postgres_migrations, translate
from tests.support.postgres import fresh_database


@pytest_asyncio.fixture
async def pg_url(postgres_server):
    async with fresh_database(postgres_server) as url:
        yield url


def intent(user: int = 3) -> Generation:
    origin = Origin("discord", guild_id=1, channel_id=2, user_id=user)
    return Generation(None, Kind.CREATE, RoomType.TERRACE, Status.PENDING, origin)


def test_postgres_translation_to_numbered_parameters() -> None:
    assert translate("SELECT * FROM t WHERE a = ? AND b IS ? LIMIT ?") == (
        "SELECT * FROM t WHERE a = $1 AND b IS NOT DISTINCT FROM $2 LIMIT $3"
    )


def test_postgres_twins_every_sqlite_migration() -> None:
    sqlite = [m.version for m in load_migrations()]
    assert [m.version for m in load_postgres_migrations()] == sqlite


@pytest.mark.asyncio
async def test_postgres_schema_has_every_sqlite_column(pg_url, tmp_path) -> None:
    """Repositories share their SQL, so each backend must have the same tables and columns."""
    async with await open_database(tmp_path / "bot.db") as lite:
        names = [r[0] for r in await lite.fetchall("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'table'")]  # fmt: skip
        sqlite_columns = {
            (table, r["name"])
            for table in names
            for r in await lite.fetchall(f"PRAGMA table_info({table})")
        }
    async with await open_database(pg_url) as pg:
        rows = await pg.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
    assert sqlite_columns - {(r[0], r[1]) for r in rows} == set()


@pytest.mark.asyncio
async def test_postgres_concurrent_starters_migrate_once_and_agree(pg_url) -> None:
    opened = await asyncio.gather(*(PostgresDatabase.open(pg_url) for _ in range(4)))
    try:
        versions = {await db.schema_version() for db in opened}
        assert versions == {len(load_postgres_migrations())}
    finally:
        for db in opened:
            await db.close()


@pytest.mark.asyncio
async def test_postgres_failed_migration_rolls_back_and_newer_schema_is_refused(pg_url) -> None:
    good = load_postgres_migrations()
    bad = (len(good) + 1, "CREATE TABLE good_part (x INT); INSERT INTO nowhere VALUES (1);", "x")
    with pytest.raises(MigrationError):
        await PostgresDatabase.open(pg_url, migrations=[*good, bad])
    async with await PostgresDatabase.open(pg_url) as db:
        assert await db.schema_version() == len(good)
        assert await db.fetchone("SELECT to_regclass('good_part')") == (None,)
        async with db.write() as tx:
            await tx.execute("UPDATE schema_version SET version = ?", (len(good) + 2,))
    with pytest.raises(DatabaseTooNewError):
        await PostgresDatabase.open(pg_url)


@pytest.mark.asyncio
async def test_postgres_racing_processes_lose_no_update_and_spend_once(pg_url) -> None:
    """Two pools (two processes): read-modify-write checks, double clicks, settings and usage."""
    async with await open_database(pg_url) as a, await open_database(pg_url) as b:
        repos = [GenerationRepository(a), GenerationRepository(b)]
        shared = await repos[0].create_intent(intent())
        await repos[0].mark_submitted(
            shared.id, generation_id="s", project_id=None, remaining_photos=None, next_check_at=None
        )

        async def checks(repo: GenerationRepository) -> None:
            for _ in range(25):
                await repo.record_check(shared.id, status=Status.PROCESSING, next_check_at=None)

        async def click(repo: GenerationRepository) -> int:
            try:
                await repo.create_intent(intent(user=99), dedupe_within=30)
                return 1
            except DuplicateRequest:
                return 0

        settings = [GuildSettingsRepository(a), GuildSettingsRepository(b)]
        results = await asyncio.gather(
            *(checks(r) for r in repos * 2),
            *(click(r) for r in repos * 4),
            *(settings[i % 2].set(5, f"k{i}", i) for i in range(10)),
            *(UsageRepository(r).record(7) for r in (a, b) * 10),
        )
        assert sum(results[4:12]) == 1  # eight racing clicks: one intent
        assert (await repos[1].get(shared.id)).check_count == 100
        assert await GuildSettingsRepository(b).get(5) == {f"k{i}": i for i in range(10)}
        today = (await repos[0].get(shared.id)).created_at
        assert await UsageRepository(a).spent(7, today, today) == 20


@pytest.mark.asyncio
async def test_postgres_write_reads_its_own_rows_and_refuses_nesting(pg_url) -> None:
    async with await open_database(pg_url) as db, await open_database(pg_url) as other:
        async with db.write() as tx:
            await tx.execute("INSERT INTO meta VALUES ('k', 'v', 0)")
            assert (await db.fetchone("SELECT value FROM meta"))[0] == "v"  # through the txn
            assert await other.fetchone("SELECT value FROM meta") is None  # not committed
            with pytest.raises(RuntimeError, match="re-entrant"):
                async with db.write():
                    pass
        assert (await other.fetchone("SELECT value FROM meta"))[0] == "v"
        with pytest.raises(ZeroDivisionError):
            async with db.write() as tx:
                await tx.execute("UPDATE meta SET value = 'changed'")
                1 / 0  # noqa: B018
        assert (await other.fetchone("SELECT value FROM meta"))[0] == "v"  # rolled back
