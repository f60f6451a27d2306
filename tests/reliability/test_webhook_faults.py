"""Webhook callbacks lost, duplicated, out of order and forged: a callback is only a hint.

The API's callbacks pass through the fault proxy, which holds them; each test decides what the
bot receives.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.domain import Status
from tests.e2e.flow import create, is_result_of, started_id
from tests.support.faulty_api import Answer, fault

from .helpers import cards, results_of, row_of
from .waiting import settle, until
from .world import bot_through


async def _posted_once(emulator, bot, row: int) -> None:
    await emulator.wait_for_message(predicate=is_result_of(row), timeout=15)
    await settle(bot.get_cog("Results"))
    assert len(results_of(emulator, row)) == 1


@pytest.mark.asyncio
async def test_lost_callbacks_the_tracker_still_finishes(
    emulator, bot_runner, sandbox, api, tmp_path, figures
):
    api.forward_callbacks = False  # every callback is lost
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path, webhooks=True) as (
        bot,
        core,
    ):
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        await _posted_once(emulator, bot, row)
        assert api.callbacks and core.webhooks.callbacks_received == 0
    figures.passed("webhook faults", "callback lost")


@pytest.mark.asyncio
async def test_duplicated_callbacks_post_once(
    emulator, bot_runner, sandbox, api, tmp_path, figures
):
    api.forward_callbacks = False
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path, webhooks=True) as (
        bot,
        _,
    ):
        row = started_id(await (await create(emulator, "TERRACE")).wait_followup(timeout=10))
        await until(lambda: api.callbacks, 10)
        statuses = await asyncio.gather(*(api.deliver(api.callbacks[0]) for _ in range(5)))
        assert set(statuses) == {200}
        await _posted_once(emulator, bot, row)
        gets = api.count("get")
        assert await api.deliver(api.callbacks[0]) == 200  # a replay after the end
        await settle(bot.get_cog("Results"))
        assert api.count("get") == gets and len(results_of(emulator, row)) == 1
    figures.passed("webhook faults", "callback duplicated (x5, then replayed)")


@pytest.mark.asyncio
async def test_callbacks_out_of_order(emulator, bot_runner, sandbox, api, tmp_path, figures):
    api.forward_callbacks = False
    async with bot_through(
        bot_runner, emulator, sandbox, api, tmp_path, webhooks=True, read_timeout=10.0
    ) as (
        bot,
        _,
    ):
        # the second generation's callback comes first
        first = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        second = started_id(await (await create(emulator, "PETANQUE")).wait_followup(timeout=10))
        await until(lambda: len(api.callbacks) == 2, 10)
        by_hook = sorted(api.callbacks, key=lambda c: c.url)
        for callback in reversed(by_hook):
            assert await api.deliver(callback) == 200
        await _posted_once(emulator, bot, first)
        await _posted_once(emulator, bot, second)
        # a callback that arrives before the API's answer to `generate` itself
        released = asyncio.Event()
        api.then("generate", Answer(forward=True, relay=True, hold=released))
        handle = await create(emulator, "TERRACE")
        await until(lambda: len(api.callbacks) == 3, 10)
        assert await api.deliver(api.callbacks[2]) == 200
        released.set()
        third = started_id(await handle.wait_followup(timeout=10))
        await _posted_once(emulator, bot, third)
        assert api.paid_calls == 3 and len(sandbox.state.generations) == 3
    figures.passed("webhook faults", "callbacks out of order (and before the API's answer)")


@pytest.mark.asyncio
async def test_a_callback_rescues_an_unknown_generation(
    emulator, bot_runner, sandbox, api, tmp_path, figures
):
    api.forward_callbacks = False
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path, webhooks=True) as (
        bot,
        core,
    ):
        api.then("generate", fault("5xx"))  # the API acted; its answer was lost
        handle = await create(emulator, "POOL")
        assert "did not confirm" in (await handle.wait_followup(timeout=10))["content"]
        row = row_of(cards(emulator)[-1])
        assert (await core.generations.get(row)).status is Status.UNKNOWN
        await until(lambda: api.callbacks, 10)
        assert await api.deliver(api.callbacks[0]) == 200
        await _posted_once(emulator, bot, row)
        assert api.count("generate") == 1 and len(sandbox.state.generations) == 1
    figures.passed("webhook faults", "callback rescues an UNKNOWN generation")


FORGERIES = {
    "wrong secret": lambda url: url.rsplit("/", 1)[0] + "/not-the-secret",
    "unknown row": lambda url: url.rsplit("/", 3)[0] + "/callbacks/999999/whatever",
    "huge row id": lambda url: url.rsplit("/", 3)[0] + "/callbacks/" + "9" * 40 + "/x",
    "row zero": lambda url: url.rsplit("/", 3)[0] + "/callbacks/0/x",
    "no secret": lambda url: url.rsplit("/", 1)[0] + "/",
    "path traversal": lambda url: url.rsplit("/", 3)[0] + "/callbacks/1/..%2F..%2Fhealthz",
    "long secret": lambda url: url.rsplit("/", 1)[0] + "/" + "A" * 5000,
}
BODIES = {
    "names another id": b'{"generation_id": "someone-elses", "status": "SUCCEEDED"}',
    "not json": b"\x00\xff<html>",
}
HUGE_BODY = b'{"x": "' + b"A" * 300_000 + b'"}'


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "forgery",
    [*FORGERIES, "huge body"],
)
async def test_forged_callbacks_are_refused_without_effect(
    forgery, emulator, bot_runner, sandbox, api, tmp_path, figures
):
    api.forward_callbacks = False
    sandbox.state.config.processing_seconds = 3.0  # still running while we forge
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path, webhooks=True) as (
        _,
        core,
    ):
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        real = api.hooks["0"]
        before = await core.generations.get(row)
        gets = api.count("get")
        bodies, forge = BODIES, FORGERIES.get(forgery)
        if forgery == "huge body":
            bodies, forge = {"huge": HUGE_BODY}, FORGERIES["wrong secret"]
        async with aiohttp.ClientSession() as session:
            for body_name, body in bodies.items():
                async with session.post(forge(real), data=body) as resp:
                    assert resp.status in (404, 405, 413), (body_name, resp.status)
        after = await core.generations.get(row)
        assert (after.status, after.generation_id) == (before.status, before.generation_id)
        assert api.count("get") == gets  # no forged callback made the bot ask the API
    figures.add("forged callbacks refused", len(bodies))
    figures.passed("webhook faults", f"forged callback: {forgery}")


@pytest.mark.asyncio
async def test_check_again_adopts_what_a_callback_named(
    emulator, bot_runner, sandbox, api, tmp_path, figures
):
    """The callback named the API id while the API could not confirm it (its `get` failed):
    "Check again" confirms it now, and the result comes, without a second paid call."""
    api.forward_callbacks = False
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path, webhooks=True) as (
        bot,
        core,
    ):
        api.then("generate", fault("5xx"))
        handle = await create(emulator, "POOL")
        assert "did not confirm" in (await handle.wait_followup(timeout=10))["content"]
        row = row_of(cards(emulator)[-1])
        await until(lambda: api.callbacks, 10)
        # the sweep would adopt it too, a minute later in production: here only the button may
        sweep = bot.get_cog("Results").sweep
        sweep.change_interval(seconds=3600)  # takes effect on the wait under way
        passes = sweep.current_loop
        busy = [Answer(503, {"message": "busy"}) for _ in range(core.client.max_attempts)]
        api.then("get", *busy)
        gets = api.count("get")
        assert await api.deliver(api.callbacks[0]) == 200
        await until(lambda: api.count("get") >= gets + core.client.max_attempts, 10)
        assert (await core.generations.get(row)).status is Status.UNKNOWN  # not confirmed yet
        card = next(c for c in cards(emulator) if row_of(c) == row)
        check = await emulator.click_button(card, f"exterior:check:{row}")
        reply = (await check.wait_followup(timeout=10))["content"]
        assert "Still unknown" not in reply, reply
        assert sweep.current_loop == passes  # the button did it, not the sweep
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=15)
        await until(lambda: _delivered(core, row), 10)
        assert len(results_of(emulator, row)) == 1
        assert api.count("generate") == 1 and len(sandbox.state.generations) == 1
    figures.passed("webhook faults", "Check again adopts the id a callback named")


async def _delivered(core, row: int) -> bool:
    return bool((await core.generations.get(row)).result_message_id)
