"""Credits: one low-credit warning per dip, and /exterior credits in detail."""

from __future__ import annotations

import pytest

from .exterior_env import exterior_bot
from .flow import create, embed_text, is_result_of, started_id
from .teams_support import admin

WARNING = "photo credits left"


@pytest.mark.asyncio
async def test_one_warning_below_threshold_and_the_credits_detail(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        studio = await emulator.add_channel("studio")
        other = await emulator.add_user("other")
        await admin(emulator, "warn-below", {"photos": 99})
        rows = []
        for user, channel in ((None, None), (other, None), (None, studio), (None, None)):
            if len(rows) == 3:
                sandbox.state.fail_next()  # the fourth fails: refunded
            handle = await create(emulator, "POOL", user=user, channel=channel)
            rows.append(started_id(await handle.wait_followup(timeout=10)))
        warnings = [
            m for c in (emulator.channel, studio) for m in emulator.messages_in(c)
            if WARNING in (m.get("content") or "")
        ]  # fmt: skip
        assert len(warnings) == 1  # 98, 97 and 96 left: below 99 three times, warned once
        assert "Only 98 photo credits left" in warnings[0]["content"]
        await emulator.wait_for_message(predicate=is_result_of(rows[2]), channel=studio, timeout=10)

        def failed(m):
            return f"generation #{rows[3]}" in embed_text(m) and "Failed" in embed_text(m)

        await emulator.wait_for_message(predicate=failed, timeout=10)
        reply = await (
            await emulator.slash_command("exterior", subcommand="credits")
        ).wait_followup(timeout=10)
        text = embed_text(reply)
        assert "Photos left (last known): 96" in text  # as the latest generate said
        assert f"<@{emulator.user.id}> (alice): 2" in text and f"<@{other.id}> (other): 1" in text
        assert f"<#{emulator.channel.id}>: 2" in text and f"<#{studio.id}>: 1" in text
        assert "Refunds this month: 1" in text
