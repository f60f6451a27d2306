"""Two trackers ("processes") on one PostgreSQL against the sandbox: the one holding a
generation's lease follows it; when it dies, the other takes over once the lease runs out and
finishes it exactly once."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.domain import Status
from storage import Lease
from tests.support.harness import harness
from tests.support.postgres import fresh_database
from tests.support.wait import until


@pytest_asyncio.fixture
async def pg_url(postgres_server):
    async with fresh_database(postgres_server) as url:
        yield url


@pytest.mark.asyncio
async def test_postgres_generation_of_a_dead_tracker_is_finished_once_by_another(
    pg_url, sandbox, files
):
    sandbox.state.config.processing_seconds = 1.0
    async with harness(pg_url, sandbox, files, webhooks=False, lease=Lease("b", 1.0)) as b:
        async with harness(pg_url, sandbox, files, webhooks=False, lease=Lease("a", 1.0)) as a:
            gen = await a.create()
            assert b.tracker.tracked == 0  # a holds it: b leaves it alone
            a.tracker.leases = None  # killed: nothing released, nothing renewed
        done = await until(lambda: b.finished(gen.id), timeout=15)
        assert len(done) == 1 and done[0].generation.status is Status.SUCCEEDED
        assert a.finished(gen.id) == []
        row = await b.repo.get(gen.id)
        assert row.status is Status.SUCCEEDED and row.check_count >= 1
