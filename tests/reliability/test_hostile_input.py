"""Hostile input through the real bot: the generated picture corpus, mask tricks, forged
buttons (100-character custom_ids, unknown ones), option values out of range, huge history
pages. None crashes the bot, each gets an answer, and none reaches the API when it should not.
"""

from __future__ import annotations

import pytest

from bot.domain import Status
from bot.runtime.emulator.state import StoredMessage
from tests.e2e.flow import create, started_id
from tests.support.hostile_images import corpus

from .waiting import until
from .world import bot_through

CASES = corpus()


def _answer(handle) -> str | None:
    """What the user was told: an ephemeral or public followup, or an immediate message."""
    for message in handle.followups:
        text = message.get("content") or ""
        text += " ".join(e.get("title", "") + e.get("description", "") for e in message["embeds"])
        if text.strip():
            return text
    original = handle.original
    if original and not original["flags"] & StoredMessage.LOADING and original.get("content"):
        return original["content"]
    return None


def _sentence(text: str) -> None:
    assert len(text) < 400 and "Traceback" not in text and "Exception" not in text, text
    assert "went wrong on our side" not in text, "hostile input must be handled, not crash"


@pytest.mark.asyncio
async def test_hostile_pictures(emulator, bot_runner, sandbox, api, tmp_path, figures):
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path):
        for case in CASES:
            paid = api.paid_calls
            handle = await create(emulator, "POOL", photo=case.photo, mask=case.mask)
            text = await until(lambda h=handle: _answer(h), 20)
            _sentence(text)
            if case.accepted:
                assert "Started generation #" in text, (case.name, text)
                assert api.paid_calls == paid + 1, case.name
            else:
                assert "Started" not in text, (case.name, text)
                assert api.paid_calls == paid, f"{case.name} reached the API"
            figures.passed("hostile input", f"picture: {case.name}")
        assert not emulator.internal_errors
    figures.add("hostile inputs tried", len(CASES))


FORGED_BUTTONS = {
    "vary, 100-character id": "exterior:vary:" + "9" * 79 + ":POOL",
    "vary, unknown row": "exterior:vary:424242:POOL",
    "vary, unknown type": "exterior:vary:1:MOON",
    "retry, 100-character id": "exterior:retry:" + "9" * 85,
    "retry, unknown row": "exterior:retry:31337",
    "check again, unknown row": "exterior:check:31337",
    "check again, 100-character id": "exterior:check:" + "1" * 85,
    "history, huge page": "exterior:history:" + "9" * 60 + ":next",
    "history, bad direction": "exterior:history:1:sideways",
    "unknown namespace": "other-bot:do:1",
    "unknown action": "exterior:delete:1",
    "empty-ish id": "x",
    "100 characters of junk": "%" * 100,
}


async def _forged_button(emulator, custom_id: str):
    """A message carrying one button with ``custom_id``, as if the bot had posted it."""
    channel = emulator.channel
    message = StoredMessage(
        emulator.state.snowflake(), channel.id, channel.guild_id, emulator.bot_user, "old card"
    )
    message.components = [
        {"type": 1, "components": [{"type": 2, "style": 2, "label": "x", "custom_id": custom_id}]}
    ]
    emulator.state.store_message(message)
    return await emulator.click_button(message.id, custom_id)


COMMANDS = {
    "history page -5": ("history", {"page": -5}),
    "history page 0": ("history", {"page": 0}),
    "history page 2^53": ("history", {"page": 2**53}),
    "show: words": ("show", {"generation": "the best one"}),
    "show: negative": ("show", {"generation": "#-1"}),
    "show: 50 digits": ("show", {"generation": "9" * 50}),
    "show: SQL": ("show", {"generation": "1; DROP TABLE generations; --"}),
    "show: empty": ("show", {"generation": ""}),
    "vary: 30 digits": ("vary", {"generation": "9" * 30, "type": "POOL"}),
    "vary: unknown type": ("vary", {"generation": "1", "type": "MOON"}),
    "vary: unknown row": ("vary", {"generation": "777", "type": "TERRACE"}),
}


@pytest.mark.asyncio
async def test_forged_buttons_and_options(emulator, bot_runner, sandbox, api, tmp_path, figures):
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path) as (_, core):
        # one real generation, so that unknown rows sit next to a known one
        row = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        await until(lambda: _status_is(core, row, Status.SUCCEEDED), 15)
        paid = api.paid_calls
        for name, custom_id in FORGED_BUTTONS.items():
            assert len(custom_id) <= 100
            handle = await _forged_button(emulator, custom_id)
            await handle.wait_ack(timeout=5)
            if "history" in name and "bad" not in name:  # a page edited in place
                await until(lambda h=handle: h.original and h.original["embeds"], 10)
            else:
                _sentence(await until(lambda h=handle: _answer(h), 10))
            figures.passed("hostile input", f"button: {name}")
        for name, (sub, options) in COMMANDS.items():
            handle = await emulator.slash_command("exterior", options, subcommand=sub)
            await handle.wait_ack(timeout=5)
            _sentence(await until(lambda h=handle: _answer(h), 10))
            figures.passed("hostile input", f"option: {name}")
        assert api.paid_calls == paid  # nothing forged spent a credit
        assert not emulator.internal_errors
    figures.add("hostile inputs tried", len(FORGED_BUTTONS) + len(COMMANDS))


async def _status_is(core, row: int, status: Status) -> bool:
    gen = await core.generations.get(row)
    return gen is not None and gen.status is status
