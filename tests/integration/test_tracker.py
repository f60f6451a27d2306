"""The tracker against the sandbox with short timings, a real database and real webhooks."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
import pytest_asyncio

from bot.api.sandbox.server import running_sandbox
from bot.api.sandbox.state import SandboxConfig
from bot.domain import Status
from bot.tracking.health import EVIDENCE, CallbackState, missing_sentence
from tests.support.harness import FAST_POLICY, harness
from tests.support.proc import free_port
from tests.support.wait import until


@pytest_asyncio.fixture
async def sandbox():
    config = SandboxConfig(starting_seconds=0.05, processing_seconds=0.4, seed=3)
    async with running_sandbox(config) as sb:
        yield sb


def settled(h) -> bool:
    """Nothing followed and no check under way: no further event can come on its own."""
    return h.tracker.tracked == 0 and not h.tracker._running


@pytest.mark.asyncio
async def test_with_webhooks_one_get_per_generation_once_callbacks_are_seen(
    tmp_path, sandbox, files
):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        # no callback seen yet on this database: the first one is polled as without a webhook
        first = await h.create()
        await until(lambda: h.finished(first.id))
        assert (await h.repo.get(first.id)).check_count > 1
        assert await h.tracker.health.trusted()  # its callback came
        before = sandbox.state.calls["get"]
        rows = [(await h.create()).id for _ in range(3)]
        await until(lambda: len(h.finished()) == 4)
        assert sandbox.state.calls["get"] - before == 3  # exactly the confirmation of each
        assert h.webhooks.callbacks_received == 4
        for row in rows:
            gen = await h.repo.get(row)
            assert gen.status is Status.SUCCEEDED and gen.result_urls
            assert gen.check_count == 1


@pytest.mark.asyncio
async def test_callbacks_that_never_come_are_polled_for_and_said_once(
    tmp_path, sandbox, files, caplog
):
    """A callback URL the API cannot reach (a typo, a firewall): nothing ever arrives."""
    caplog.set_level(logging.WARNING, logger="bot.tracking.health")

    async def one_after_another(h) -> list[int]:
        rows = []
        for _ in range(EVIDENCE + 1):
            rows.append((await h.create()).id)
            await until(lambda: h.finished(rows[-1]))
        return [(await h.repo.get(row)).check_count for row in rows]

    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=False) as polled:
        without_webhook = await one_after_another(polled)  # cold three times, then learnt
    async with harness(tmp_path / "lost.sqlite3", sandbox, files, webhooks=True) as h:
        nowhere = f"http://127.0.0.1:{free_port()}"
        h.service.callback_url = lambda row: f"{nowhere}/callbacks/{row}/x"
        h.tracker.health.where = f"{nowhere}/callbacks/"
        checks = await one_after_another(h)
        assert h.webhooks.callbacks_received == 0
        assert await h.tracker.health.state() is CallbackState.MISSING
        # each noticed by polling, as often as without a webhook (give or take a jittered one)
        assert all(abs(a - b) <= 2 for a, b in zip(checks, without_webhook, strict=True))
        assert min(checks[:EVIDENCE]) > 1  # not one safety-net check after a long wait
    said = [r.getMessage() for r in caplog.records if "are not arriving" in r.getMessage()]
    assert said == [missing_sentence(f"{nowhere}/callbacks/")]  # once, naming the URL


@pytest.mark.asyncio
async def test_without_webhooks_polls_and_finishes_once(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=False) as h:
        gen = await h.create()
        await until(lambda: h.finished(gen.id) and settled(h))
        await h.tracker.drain()
        assert len(h.finished(gen.id)) == 1
        done = await h.repo.get(gen.id)
        assert done.status is Status.SUCCEEDED
        # cold start, 0.45 s generation, intervals >= 0.1 s: a handful of polls, not a busy loop
        assert 2 <= sandbox.state.calls["get"] <= 8
        assert done.check_count == sandbox.state.calls["get"]
        assert h.tracker.tracked == 0


@pytest.mark.asyncio
async def test_failed_generation_event_and_refund(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        sandbox.state.fail_next()
        gen = await h.create()
        await until(lambda: h.finished(gen.id))
        assert h.finished(gen.id)[0].generation.status is Status.FAILED
        assert sandbox.state.credits[sandbox.state.config.user_id] == 100


@pytest.mark.asyncio
async def test_restart_finishes_every_pending_generation_exactly_once(tmp_path, sandbox, files):
    db_path = tmp_path / "db.sqlite3"
    sandbox.state.config.processing_seconds = 1.0
    async with harness(db_path, sandbox, files, webhooks=False) as first:
        rows = [(await first.create(rt)).id for rt in ("POOL", "TERRACE", "PETANQUE")]
        assert first.finished() == []
    # stopped mid-generation; a new tracker on the same database takes over
    async with harness(db_path, sandbox, files, webhooks=False) as second:
        await until(lambda: len(second.finished()) == 3 and settled(second))
        await second.tracker.drain()
        assert sorted(e.generation.id for e in second.finished()) == sorted(rows)
    async with harness(db_path, sandbox, files, webhooks=False) as third:
        assert settled(third)  # resumed nothing: every row was finished
        await third.tracker.drain()
        assert third.events == []


@pytest.mark.asyncio
async def test_deadline_times_out_and_stays_checkable(tmp_path, sandbox, files):
    sandbox.state.config.processing_seconds = 1.5
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=False, deadline=0.5) as h:
        gen = await h.create()
        await until(lambda: [e for e in h.events if e.kind == "timed_out"])
        assert (await h.repo.get(gen.id)).status is Status.TIMED_OUT
        assert h.tracker.tracked == 0
        await until(lambda: sandbox.state.generations[gen.generation_id].status.is_terminal)
        later = await h.service.refresh(await h.repo.get(gen.id))
        assert later.status is Status.SUCCEEDED
        await h.tracker.drain()
        assert len(h.finished(gen.id)) == 1


@pytest.mark.asyncio
async def test_a_late_callback_revives_a_timed_out_generation(tmp_path, sandbox, files):
    sandbox.state.config.processing_seconds = 1.2
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True, deadline=0.3) as h:
        gen = await h.create()
        # the deadline check comes before the webhook safety-net poll
        await until(lambda: [e for e in h.events if e.kind == "timed_out"])
        await until(lambda: h.finished(gen.id))
        assert (await h.repo.get(gen.id)).status is Status.SUCCEEDED


@pytest.mark.asyncio
async def test_callbacks_are_hints_and_forgeries_do_nothing(tmp_path, sandbox, files):
    sandbox.state.config.processing_seconds = 1.0
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        gen = await h.create()
        session = h.client._session
        good = h.webhooks.callback_url(gen.id)
        secret = good.rsplit("/", 1)[1]
        wrong = f"{h.webhooks.base_url}/callbacks/{gen.id}/{'x' * len(secret)}"
        other = f"{h.webhooks.base_url}/callbacks/{gen.id + 1}/{secret}"
        forged_body = {"generation_id": gen.generation_id, "status": "SUCCEEDED", "urls": ["x"]}
        for url in (wrong, other):
            async with session.post(url, json=forged_body) as resp:
                assert resp.status == 404
        gets_before = sandbox.state.calls["get"]
        # the right path while the API still says PROCESSING: a check, but nothing finishes
        async with session.post(good, json=forged_body) as resp:
            assert resp.status == 200
        await until(lambda: sandbox.state.calls["get"] == gets_before + 1)
        current = await h.repo.get(gen.id)
        assert current.status in (Status.STARTING, Status.PROCESSING)
        assert h.finished() == []
        # the real callback arrives; duplicates and late ones change nothing
        await until(lambda: h.finished(gen.id))
        for _ in range(3):
            async with session.post(good, json={"status": "PROCESSING"}) as resp:
                assert resp.status == 200  # handled (and any check scheduled) before answering
        await until(lambda: settled(h))
        await h.tracker.drain()
        assert len(h.finished(gen.id)) == 1
        assert (await h.repo.get(gen.id)).status is Status.SUCCEEDED


@pytest.mark.asyncio
async def test_an_oversized_genuine_callback_is_refused_413_and_still_a_hint(
    tmp_path, sandbox, files
):
    sandbox.state.config.processing_seconds = 30.0  # only a hint can make it look early
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        gen = await h.create()
        await until(lambda: h.tracker.tracked == 1)
        gets_before = sandbox.state.calls["get"]
        huge = b'{"generation_id": "' + b"x" * (300 * 1024) + b'"}'
        url = h.webhooks.callback_url(gen.id)
        async with h.client._session.post(url, data=huge) as resp:
            assert resp.status == 413
        await until(lambda: sandbox.state.calls["get"] == gets_before + 1)
        forged = url.rsplit("/", 1)[0] + "/" + "x" * len(url.rsplit("/", 1)[1])
        async with h.client._session.post(forged, data=huge) as resp:
            assert resp.status == 404  # not genuine: nothing read, nothing hinted


@pytest.mark.asyncio
async def test_out_of_order_observations_stay_monotonic(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        gen = await h.create()
        await until(lambda: h.finished(gen.id))
        late, finished = await h.repo.record_check(
            gen.id, status=Status.PROCESSING, next_check_at=None
        )
        assert late.status is Status.SUCCEEDED and not finished


@pytest.mark.asyncio
async def test_health_endpoint(tmp_path, sandbox, files):
    async with (
        harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h,
        h.client._session.get(f"{h.webhooks.base_url}/healthz") as resp,
    ):
        assert resp.status == 200 and (await resp.json())["ok"] is True


@pytest.mark.asyncio
async def test_a_generation_finished_by_another_process_is_still_announced(
    tmp_path, sandbox, files
):
    db_path = tmp_path / "db.sqlite3"
    patient = replace(FAST_POLICY, first_delay=30, min_interval=30, max_interval=30)
    async with harness(db_path, sandbox, files, webhooks=False, policy=patient) as bot_side:
        gen = await bot_side.create()
        # the CLI (another process, its own tracker) notices the end first
        async with harness(db_path, sandbox, files, webhooks=False, resume=False) as cli_side:
            await until(lambda: sandbox.state.generations[gen.generation_id].status.is_terminal)
            await cli_side.service.refresh(await cli_side.repo.get(gen.id))
            await cli_side.tracker.drain()
            assert len(cli_side.finished(gen.id)) == 1
        assert bot_side.finished() == []
        assert bot_side.tracker.hint(gen.generation_id)
        await until(lambda: bot_side.finished(gen.id))
        assert bot_side.tracker.tracked == 0


@pytest.mark.asyncio
async def test_polling_learns_from_what_its_checks_saw(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=False) as h:
        cold = []
        for _ in range(3):
            before = sandbox.state.calls["get"]
            gen = await h.create()
            await until(lambda gen=gen: h.finished(gen.id))
            cold.append(sandbox.state.calls["get"] - before)
        bounds = await h.repo.recent_durations(gen.room_type, gen.kind)
        # each end is bracketed by the last check that saw it running and the first that did not
        assert len(bounds) == 3 and all(0.3 < low < high for low, high in bounds)
        assert all(high - low < 0.5 for low, high in bounds)
        # what job cards promise: the learnt median, inside what was seen
        typical = await h.tracker.typical_duration(gen.room_type, gen.kind)
        assert min(b[0] for b in bounds) <= typical <= max(b[1] for b in bounds)
        learnt = []
        for _ in range(3):
            before = sandbox.state.calls["get"]
            gen = await h.create()
            await until(lambda gen=gen: h.finished(gen.id))
            learnt.append(sandbox.state.calls["get"] - before)
        assert sum(learnt) < sum(cold)


@pytest.mark.asyncio
async def test_a_callback_bounds_the_end_tightly(tmp_path, sandbox, files):
    async with harness(tmp_path / "db.sqlite3", sandbox, files, webhooks=True) as h:
        gen = await h.create()
        await until(lambda: h.finished(gen.id))
        [(low, high)] = await h.repo.recent_durations(gen.room_type, gen.kind)
        assert high - low <= FAST_POLICY.webhook_slack + 0.05  # not (0, high]
        assert low > 0.3  # the sandbox takes 0.45 s
