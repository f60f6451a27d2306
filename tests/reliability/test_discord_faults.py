"""The Discord side of the fault matrix: the card's create and edit, the result's create and the
interaction callback x {429, 5xx, timeout, malformed body, connection reset}.

Whatever breaks, the same promises hold: at most one credit per request, a result posted at most
once (and exactly once when a credit was spent), the user told something, and the bot still
answers the next command.
"""

from __future__ import annotations

import pytest

from tests.e2e.flow import create, is_result_of, started_id
from tests.support.faulty_api import fault

from .helpers import all_results, results_of
from .waiting import settle, until
from .world import bot_through

CHANNEL_MESSAGES = r"/channels/\d+/messages$"
TARGETS = {
    "interaction callback": ("POST", r"/interactions/\d+/[^/]+/callback$", 0),
    "card create": ("POST", CHANNEL_MESSAGES, 0),
    "card edit": ("PATCH", r"/channels/\d+/messages/\d+$", 0),
    "result create": ("POST", CHANNEL_MESSAGES, 1),
}
KINDS = {"429": ("status", 429), "5xx": ("status", 500), "timeout": ("timeout", 0)}
KINDS |= {"malformed": ("malformed", 0), "reset": ("reset", 0)}


def _told(handle) -> bool:
    return bool(handle.followup_ids) or any(r.ok and r.type == 4 for r in handle.responses)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("target", list(TARGETS))
async def test_discord_fault(
    target, kind, emulator, bot_runner, sandbox, api, tmp_path, figures, request
):
    if (target, kind) == ("interaction callback", "timeout"):
        # The acknowledgement landed but its answer never came back: the bot cannot know, so
        # it tries again, Discord refuses (40060) and the bot follows up instead. The one case
        # where a second acknowledgement is right; the suite-wide guard is told so.
        request.applymarker(pytest.mark.double_ack_expected)
    method, path, after = TARGETS[target]
    fault_kind, status = KINDS[kind]
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path) as (bot, _):
        emulator.fail_next(method, path, status or 500, kind=fault_kind, delay=0.3, after=after)
        handle = await create(emulator, "POOL")
        # settled: a result is out, or the user heard why not
        await until(lambda: all_results(emulator) or (_told(handle) and api.paid_calls == 0), 20)
        spent = api.paid_calls
        assert spent <= 1 and len(sandbox.state.generations) == spent
        if spent:
            # a started (paid) generation is never reported as a failure
            said = "\n".join(m.get("content", "") for m in handle.followups)
            assert "went wrong" not in said and "not started" not in said.lower(), said
            await until(lambda: all_results(emulator), 20)
            await settle(bot.get_cog("Results"))
            assert list(all_results(emulator).values()) == [1]
        else:
            assert _told(handle), "the user heard nothing"
        # the bot is still fine: the next request works, once
        again = await create(emulator, "TERRACE")
        row = started_id(await again.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=15)
        assert len(results_of(emulator, row)) == 1
    figures.passed("discord faults", f"{target} x {kind}")


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["timeout", "reset"])
async def test_unknown_outcome_still_told_when_the_card_edit_fails(
    kind, emulator, bot_runner, sandbox, api, tmp_path, figures
):
    """Two faults at once: the paid call's answer is lost, then so is Discord's answer to the
    card's edit. The user must still hear the truth (unknown, not re-sent), not "went wrong"."""
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path):
        api.then("generate", fault("5xx"))
        emulator.fail_next("PATCH", r"/channels/\d+/messages/\d+$", kind=kind, delay=0.3)
        handle = await create(emulator, "POOL")
        said = (await handle.wait_followup(timeout=15))["content"]
        assert "did not confirm" in said and "went wrong" not in said, said
        assert api.count("generate") == 1
    figures.passed("discord faults", f"paid call unknown + card edit {kind}")
