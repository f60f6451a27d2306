"""Two trackers ("processes") on one PostgreSQL against the sandbox: the one holding a
generation's lease follows it; when it dies, the other takes over once the lease runs out and
finishes it exactly once."""

from __future__ import annotations

from dataclasses import replace

import pytest
import pytest_asyncio

from bot.domain import Status
from storage import Lease
from tests.support.harness import FAST_POLICY, harness
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


@pytest.mark.asyncio
async def test_postgres_a_callback_reaching_another_process_is_acted_on_by_notify(
    pg_url, sandbox, files
):
    """The follower LISTENs: a hint written by another process reaches it at once, not at its
    next look at the table (a lease of 300 s looks every 100 s, far beyond this test)."""
    sandbox.state.config.processing_seconds = 0.3
    late = replace(FAST_POLICY, first_delay=600.0)  # a's own schedule would never check in time
    lease_a, lease_b = Lease("a", 300.0), Lease("b", 300.0)
    async with (
        harness(pg_url, sandbox, files, webhooks=False, policy=late, lease=lease_a) as a,
        harness(pg_url, sandbox, files, webhooks=False, lease=lease_b) as b,
    ):
        gen = await a.create()
        await until(lambda: sandbox.state.generations[gen.generation_id].status.is_terminal)
        path = b.webhooks.callback_url(gen.id).split("/callbacks/")[1]
        row, secret = path.split("/")
        assert await b.webhooks.callbacks.receive(row, secret, gen.generation_id)
        done = await until(lambda: a.finished(gen.id), timeout=20)
        assert done[0].generation.status is Status.SUCCEEDED
        assert b.finished(gen.id) == [] and b.tracker.tracked == 0
        assert (await a.repo.get(gen.id)).check_count == 1  # the hinted check, nothing else
