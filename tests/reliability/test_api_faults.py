"""The API fault matrix through the real bot: generate, generate-variation, get and the result
download, each x {429, 5xx, timeout, malformed body, connection reset}.

The credit rule is checked above the client: an ambiguous failure of a paid call (the API acted,
then its answer was lost) leaves the generation UNKNOWN, the card says so and offers "Check
again", and nothing is sent twice. A refusal (429) is retried and spends one credit.
"""

from __future__ import annotations

import pytest

from bot.domain import Status
from tests.e2e.flow import create, custom_ids, embed_text, is_result_of, started_id
from tests.support.faulty_api import FAULT_KINDS, fault

from .helpers import cards, results_of, row_of
from .waiting import settle
from .world import bot_through


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("endpoint", ["generate", "generate-variation"])
async def test_paid_call_fault(
    endpoint, kind, emulator, bot_runner, sandbox, api, tmp_path, figures
):
    # An API on loopback calls back even without a public URL; a callback would name the id
    # and rescue the row (tests/reliability/test_webhook_faults.py), so here callbacks are lost.
    api.forward_callbacks = False
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path) as (_bot, core):
        if endpoint == "generate-variation":
            first = await create(emulator, "POOL")
            parent = started_id(await first.wait_followup(timeout=10))
            result = await emulator.wait_for_message(predicate=is_result_of(parent), timeout=15)
            api.then(endpoint, fault(kind))
            handle = await emulator.click_button(result, f"exterior:vary:{parent}:TERRACE")
        else:
            api.then(endpoint, fault(kind))
            handle = await create(emulator, "POOL")
        answer = (await handle.wait_followup(timeout=10))["content"]
        spent_before = len(sandbox.state.generations)
        if kind == "429":  # refused, so retried: one credit, one result
            row = started_id({"content": answer})
            await emulator.wait_for_message(predicate=is_result_of(row), timeout=15)
            assert api.count(endpoint) == 2
        else:
            assert "did not confirm" in answer and "not retried" in answer, answer
            card = cards(emulator)[-1]
            row = row_of(card)
            assert "Outcome unknown" in embed_text(card)
            assert f"exterior:check:{row}" in custom_ids(card)
            assert (await core.generations.get(row)).status is Status.UNKNOWN
            check = await emulator.click_button(card, f"exterior:check:{row}")
            reply = (await check.wait_followup(timeout=10))["content"]
            assert "Still unknown" in reply and "not sent again" in reply, reply
            assert api.count(endpoint) == 1  # never re-sent, not even by "Check again"
            assert results_of(emulator, row) == []
        assert len(sandbox.state.generations) == spent_before  # nothing spent after the fault
    figures.passed("api faults", f"{endpoint} x {kind}")


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("endpoint", ["get", "result"])
async def test_follow_and_download_faults(
    endpoint, kind, emulator, bot_runner, sandbox, api, tmp_path, figures
):
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path) as (bot, core):
        if endpoint == "result":  # a download's own time cap, compressed like the rest
            core.downloads.time_cap = 1.0
        hold = 1.5 if endpoint == "result" else 2.5
        api.then(endpoint, fault(kind, timeout=hold), fault(kind, timeout=hold))  # twice
        handle = await create(emulator, "PETANQUE")
        row = started_id(await handle.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=20)
        await settle(bot.get_cog("Results"))
        assert len(results_of(emulator, row)) == 1
        assert api.count("generate") == 1 and len(sandbox.state.generations) == 1
        assert api.count(endpoint) >= 3  # two failures, then the one that worked
        assert (await core.generations.get(row)).result_message_id
    figures.passed("api faults", f"{endpoint} x {kind}")
