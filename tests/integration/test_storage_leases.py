"""Leases between processes sharing a database: who follows, records and posts a generation.

PostgreSQL cases use two or three pools (processes) with their own lease owners and one clock;
the SQLite case checks the same interface is there, with one process owning everything."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from bot.domain import Status
from storage import GenerationRepository, Lease, LeaseLost, Leases, open_database
from tests.support.postgres import fresh_database

from .test_storage import T0, FakeClock, gen

LEASE = 10.0


class Process:
    def __init__(self, db, name: str, clock: FakeClock) -> None:
        lease = Lease(name, LEASE)
        self.repo = GenerationRepository(db, clock=clock, lease=lease)
        self.leases = Leases(db, lease, clock=clock)


@pytest_asyncio.fixture
async def pg_url(postgres_server):
    async with fresh_database(postgres_server) as url:
        yield url


@pytest_asyncio.fixture
async def processes(pg_url):
    clock = FakeClock()
    dbs = [await open_database(pg_url) for _ in range(3)]
    try:
        yield clock, [Process(db, name, clock) for db, name in zip(dbs, "abc", strict=True)]
    finally:
        for db in dbs:
            await db.close()


async def live(p: Process, api_id: str, **kw):
    intent = await p.repo.create_intent(gen(**kw))
    return await p.repo.mark_submitted(
        intent.id, generation_id=api_id, project_id="p", remaining_photos=1, next_check_at=T0
    )


@pytest.mark.asyncio
async def test_postgres_only_the_lease_holder_records_until_it_dies(processes) -> None:
    clock, (a, b, _) = processes
    row = await live(a, "api-1")
    assert await b.leases.claim_live() == []  # a is alive and holds it
    with pytest.raises(LeaseLost):
        await b.repo.record_check(row.id, status=Status.SUCCEEDED, next_check_at=None)
    clock.advance(LEASE / 2)
    assert await a.leases.renew() == 1  # a renews, so half a lease later it still holds it
    clock.advance(LEASE * 0.9)
    assert await b.leases.claim_live() == []
    clock.advance(LEASE * 0.2)  # a stopped renewing (killed): b takes over
    assert [g.id for g in await b.leases.claim_live()] == [row.id]
    with pytest.raises(LeaseLost):
        await a.repo.record_check(row.id, status=Status.SUCCEEDED, next_check_at=None)
    done, finished = await b.repo.record_check(
        row.id, status=Status.SUCCEEDED, next_check_at=None, result_urls=["u"]
    )
    assert finished and done.check_count == 1


@pytest.mark.asyncio
async def test_postgres_racing_claims_split_orphans_without_overlap(processes) -> None:
    clock, procs = processes
    rows = [await live(procs[0], f"api-{i}") for i in range(60)]
    clock.advance(LEASE + 1)  # the first process died
    claims = await asyncio.gather(*(p.leases.claim_live(limit=25) for p in procs[1:] * 2))
    ids = [g.id for claim in claims for g in claim]
    assert len(ids) == len(set(ids)) == len(rows)  # every orphan once, nobody twice


@pytest.mark.asyncio
async def test_postgres_one_process_posts_a_finished_result(processes) -> None:
    clock, (a, b, c) = processes
    row = await live(a, "api-1")
    await a.repo.record_check(row.id, status=Status.SUCCEEDED, next_check_at=None)
    assert [g.id for g in await a.leases.claim_undelivered()] == [row.id]  # a's own
    assert await b.leases.claim_undelivered() == []
    clock.advance(LEASE + 1)  # a died before posting: the first sweeper gets it
    swept = await asyncio.gather(b.leases.claim_undelivered(), c.leases.claim_undelivered())
    assert sorted(len(s) for s in swept) == [0, 1]
    poster = b if swept[0] else c
    assert await poster.repo.set_result_message(row.id, 555)
    clock.advance(LEASE + 1)
    assert await a.leases.claim_undelivered() == []  # posted once: nothing left to claim


@pytest.mark.asyncio
async def test_postgres_intent_of_a_dead_process_is_recovered_at_once(processes) -> None:
    clock, (a, b, _) = processes
    dead = await a.repo.create_intent(gen())
    alive = await b.repo.create_intent(gen(channel=11))
    clock.advance(LEASE + 1)
    await b.leases.renew()  # b's paid call is still in flight
    lost = await b.repo.recover_interrupted(older_than=600)
    assert [g.id for g in lost] == [dead.id]
    assert (await b.repo.get(alive.id)).status is Status.PENDING


@pytest.mark.asyncio
async def test_postgres_callback_on_any_process_reaches_the_lease_holder(processes) -> None:
    clock, (a, b, _) = processes
    row = await live(a, "api-1")
    await a.repo.set_next_check(row.id, clock.now.timestamp() + 300)
    assert await a.leases.due_mine() == []
    await b.leases.hint(row.id)  # the callback reached b
    assert await a.leases.due_mine() == [row.id]
    assert await b.leases.due_mine() == []


@pytest.mark.asyncio
async def test_postgres_clean_stop_hands_over_at_once(processes) -> None:
    _clock, (a, b, _) = processes
    row = await live(a, "api-1")
    await a.leases.release_all()
    assert [g.id for g in await b.leases.claim_live()] == [row.id]


@pytest.mark.asyncio
async def test_sqlite_has_the_same_interface_with_one_owner(tmp_path) -> None:
    clock = FakeClock()
    async with await open_database(tmp_path / "bot.db") as db:
        a, b = Process(db, "a", clock), Process(db, "b", clock)
        row = await live(a, "api-1")
        assert not a.leases.shared
        assert [g.id for g in await b.leases.claim_live()] == [row.id]
        assert await a.leases.renew() == 0 and await a.leases.due_mine() == []
        await b.repo.record_check(row.id, status=Status.SUCCEEDED, next_check_at=None)
        assert [g.id for g in await a.leases.claim_undelivered()] == [row.id]
