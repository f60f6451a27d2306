"""Whatever goes wrong when a request starts, its card ends saying so; a wrong key is told early."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from .exterior_env import exterior_bot
from .flow import create, embed_text


@pytest.mark.asyncio
async def test_a_busy_database_leaves_no_card_sending_forever(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        # another process holds the database's write lock longer than the bot waits for it
        blocker = sqlite3.connect(polling_settings.db_path, timeout=0, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            handle = await create(emulator, "POOL")
            followup = await handle.wait_followup(timeout=15)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert "nothing was charged" in followup["content"]
        cards = [embed_text(m) for m in emulator.messages_in() if m.get("embeds")]
        assert cards and all("Sending to the API" not in text for text in cards), cards
        assert any("Not started" in text for text in cards)
        assert sandbox.state.calls["generate"] == 0


@pytest.mark.asyncio
async def test_a_refused_api_key_is_logged_at_start(
    emulator, bot_runner, sandbox, polling_settings, caplog
):
    caplog.set_level(logging.INFO)
    async with exterior_bot(bot_runner, polling_settings, api_key="not-the-key"):
        pass
    refused = [r for r in caplog.records if "refused IACREA_API_KEY" in r.getMessage()]
    assert len(refused) == 1 and "not-the-key" not in refused[0].getMessage()
    caplog.clear()
    gets = sandbox.state.calls["get"]
    async with exterior_bot(bot_runner, polling_settings):
        pass
    assert not [r for r in caplog.records if "IACREA_API_KEY" in r.getMessage()]
    assert sandbox.state.calls["get"] == gets + 1  # one look at start, nothing more
