"""Secrets: the API key and the bot token (canaries here, see tests/support/canary.py) never
appear in a log record, an exception, a message, an embed or a file the bot writes, even when
the API echoes the key back in its errors and the bot runs at DEBUG. The autouse guard checks
every e2e and reliability test; these tests provoke the leaks and prove the guard can see one."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.flow import create, is_result_of, started_id
from tests.support.canary import (
    CANARY_API_KEY,
    CANARY_BOT_TOKEN,
    scan_emulator,
    scan_files,
    scan_lines,
)
from tests.support.faulty_api import Answer

from .process import BotProcess
from .waiting import until
from .world import bot_through

# the API knows its key (not the bot token): a careless one may echo it in an error
ECHO = {"message": f"invalid key {CANARY_API_KEY}"}


@pytest.mark.asyncio
async def test_the_guard_sees_a_leak(emulator, tmp_path, canary_guard):
    logging.getLogger("bot.test").debug("oops %s", CANARY_API_KEY)
    assert list(scan_lines(canary_guard.lines))
    canary_guard.lines.clear()
    channel = emulator.channel
    message = emulator.state.messages
    (tmp_path / "leak.db").write_bytes(b"\x00" + CANARY_BOT_TOKEN.encode())
    assert list(scan_files(tmp_path))
    (tmp_path / "leak.db").unlink()
    assert not message and channel  # nothing posted yet: the scan below sees none
    assert not list(scan_emulator(emulator))


@pytest.mark.asyncio
async def test_an_api_that_echoes_the_key_leaks_nothing(
    emulator, bot_runner, sandbox, api, tmp_path, canary_guard, figures
):
    async with bot_through(bot_runner, emulator, sandbox, api, tmp_path):
        api.then("generate", Answer(400, ECHO), Answer(401, ECHO), Answer(502, ECHO))
        for _ in range(3):  # refused, refused, unknown: each told to the user
            handle = await create(emulator, "POOL")
            await handle.wait_followup(timeout=10)
        api.then("get", Answer(500, ECHO), Answer(404, ECHO))
        api.then("result", Answer(403, ECHO))
        handle = await create(emulator, "TERRACE")
        row = started_id(await handle.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=20)
    assert api.count("generate") == 4 and api.count("get") >= 2 and api.count("result") >= 2
    # the errors were logged (so the guard had something to read) without the key
    assert any("HTTP 400" in line for line in canary_guard.lines)
    assert not list(scan_lines(canary_guard.lines)) and not list(scan_emulator(emulator))
    figures.passed("secrets", "API echoing the key: logs, messages, database")


@pytest.mark.asyncio
async def test_the_process_log_at_debug_holds_no_secret(emulator, sandbox, api, tmp_path, figures):
    process = BotProcess(emulator, api, sandbox, tmp_path)
    process.env["EXTERIOR_LOG_LEVEL"] = "DEBUG"
    api.then("get", Answer(500, ECHO))
    await process.start()
    try:
        row = started_id(await (await create(emulator, "PETANQUE")).wait_followup(timeout=15))
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=20)
        await until(lambda: "posted result" in process.log_text(), 10)
    finally:
        assert await process.stop() == 0
    log = process.log_text()
    assert "DEBUG" in log and "HTTP 500" in log
    assert CANARY_API_KEY not in log and CANARY_BOT_TOKEN not in log
    assert not list(scan_files(tmp_path))
    figures.passed("secrets", "the real process at DEBUG: its log and database")
