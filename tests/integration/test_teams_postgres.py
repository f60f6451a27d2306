"""The teams tables and queries on PostgreSQL: caps under racing intents, reports, sealed keys."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from bot.domain import Generation, Kind, Origin, RoomType, Status
from storage import (
    Cap,
    CapReached,
    CredentialRepository,
    GenerationRepository,
    GuildSettingsRepository,
    ReportRepository,
    open_database,
)
from tests.support.postgres import fresh_database


@pytest_asyncio.fixture
async def pg_url(postgres_server):
    async with fresh_database(postgres_server) as url:
        yield url


@pytest.mark.asyncio
async def test_caps_reports_and_credentials_on_postgres(pg_url) -> None:
    async with await open_database(pg_url) as db:
        repo = GenerationRepository(db)
        since = datetime.now(UTC) - timedelta(days=1)
        cap = Cap("per_server_month", 3, 9, since)

        async def one(user: int):
            origin = Origin("discord", guild_id=9, channel_id=2, user_id=user, user_name="u")
            gen = Generation(None, Kind.CREATE, RoomType.POOL, Status.PENDING, origin)
            try:
                return await repo.create_intent(gen, caps=[cap])
            except CapReached:
                return None

        made = await asyncio.gather(*(one(u) for u in range(12)))
        assert len([g for g in made if g is not None]) == 3  # racing intents, one cap
        report = await ReportRepository(db).spend_report(9, since, None)
        assert sum(n for _, _, n in report.by_member) == 3 and report.by_channel == [(2, 3)]
        stored = await CredentialRepository(db).add(9, "sealed-token", "••••abcd")
        assert (await CredentialRepository(db).get(stored.id)).key_hint == "••••abcd"
        settings = GuildSettingsRepository(db)
        assert await settings.claim(9, "low_credit_warned", "global")
        assert not await settings.claim(9, "low_credit_warned", "global")
