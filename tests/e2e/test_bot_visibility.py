"""Generation numbers are sequential: a private channel's results must stay in that channel."""

from __future__ import annotations

import pytest

from .exterior_env import exterior_bot
from .flow import is_result_of, private_result


@pytest.mark.asyncio
async def test_private_generations_cannot_be_shown_or_varied_from_elsewhere(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        row, outsider = await private_result(emulator)

        # the outsider guesses the number from the public channel
        show = await emulator.slash_command(
            "exterior", {"generation": str(row)}, subcommand="show", user=outsider
        )
        assert "don't know a generation" in (await show.wait_followup(timeout=10))["content"]
        vary = await emulator.slash_command(
            "exterior", {"generation": f"#{row}", "type": "TERRACE"}, subcommand="vary",
            user=outsider,
        )  # fmt: skip
        assert "don't know a generation" in (await vary.wait_followup(timeout=10))["content"]
        assert not [m for m in emulator.messages_in() if is_result_of(row)(m)]

        # someone who can see it may share it here; its buttons still answer only them
        shared = await emulator.slash_command(
            "exterior", {"generation": str(row)}, subcommand="show"
        )
        await shared.wait_followup(timeout=10)
        reposted = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        click = await emulator.click_button(reposted, f"exterior:vary:{row}:TERRACE", user=outsider)
        assert (await click.wait_ack()).type == 5  # answered at once, never "interaction failed"
        assert "don't know a generation" in (await click.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate-variation"] == 0
