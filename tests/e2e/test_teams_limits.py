"""Limits: across a restart, on buttons as on commands, and under racing clicks."""

from __future__ import annotations

import asyncio
import re

import pytest

from .exterior_env import exterior_bot
from .flow import create, is_result_of, started_id
from .teams_support import admin

RESETS = re.compile(r"resets <t:(\d+):f>")


@pytest.mark.asyncio
async def test_daily_limit_survives_a_restart_and_holds_for_buttons(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        await admin(emulator, "limits", {"per_user_day": 1})
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        refused = (await (await create(emulator, "POOL")).wait_followup(timeout=10))["content"]
        assert "limit of 1 generations today" in refused and RESETS.search(refused)
    async with exterior_bot(bot_runner, polling_settings):
        refused = (await (await create(emulator, "TERRACE")).wait_followup(timeout=10))["content"]
        assert "limit of 1 generations today" in refused
        click = await emulator.click_button(result, f"exterior:vary:{row}:TERRACE")
        assert (await click.wait_ack()).type == 5
        text = (await click.wait_followup(timeout=10))["content"]
        assert "limit of 1" in text
        # resets at the next UTC midnight, within a day
        reset = int(RESETS.search(text).group(1))
        assert reset % 86400 == 0
        # another member still may (the limit is per member)
        other = await emulator.add_user("other")
        started_id(await (await create(emulator, "POOL", user=other)).wait_followup(timeout=10))
    assert sandbox.state.calls["generate"] == 2
    assert sandbox.state.calls["generate-variation"] == 0


@pytest.mark.asyncio
async def test_twenty_racing_clicks_take_the_last_unit_once(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        await admin(emulator, "limits", {"per_server_month": 2})
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        users = [await emulator.add_user(f"member{i}") for i in range(20)]
        clicks = await asyncio.gather(
            *(emulator.click_button(result, f"exterior:vary:{row}:TERRACE", user=u) for u in users)
        )
        answers = [(await c.wait_followup(timeout=20))["content"] for c in clicks]
        started = [a for a in answers if "Started generation #" in a]
        refused = [a for a in answers if "limit of 2 generations this month" in a]
        assert len(started) == 1 and len(refused) == 19, answers
        assert sandbox.state.calls["generate-variation"] == 1
        # no card of a refused click stays behind
        cards = [m for m in emulator.messages_in() if "generation #" in str(m.get("embeds"))]
        assert len([m for m in cards if "Variation" in str(m.get("embeds"))]) == 1
