"""The real `exterior-bot run`, SIGKILLed at five points of a generation's life, then restarted:
nothing lost, nothing posted twice, nothing spent twice, and the user told what happened.

Exact points without hooks in the bot: the fault proxy holds the API's answer (before or after
the API acted) and the emulator holds Discord's answer to the result's post; the test kills the
process while it waits. The API's callbacks are held by the proxy and delivered after the
restart, like an API that retries its webhooks.
"""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from tests.e2e.flow import create, custom_ids, embed_text, is_result_of, started_id
from tests.support.faulty_api import Answer

from .helpers import all_results, cards, results_of, row_of
from .process import BotProcess
from .waiting import until

CHANNEL_MESSAGES = r"/channels/\d+/messages$"


@pytest_asyncio.fixture
async def bot_process(emulator, api, sandbox, tmp_path):
    sandbox.state.config.processing_seconds = 0.6
    process = BotProcess(emulator, api, sandbox, tmp_path)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


async def _restart(process: BotProcess, api) -> None:
    await process.start()
    for callback in [*api.undelivered, *([] if api.forward_callbacks else api.callbacks)]:
        await until(lambda cb=callback: _delivered(api, cb), 15)
    api.undelivered.clear()


async def _delivered(api, callback) -> bool:
    try:
        return await api.deliver(callback) == 200
    except Exception:
        return False


def _card_saying(emulator, words: str) -> dict | None:
    return next((c for c in cards(emulator) if words in embed_text(c)), None)


def _newest_row(process: BotProcess) -> int:
    return process.query("SELECT max(id) FROM generations")[0][0]


def _recorded(process: BotProcess, row: int):
    rows = process.query("SELECT result_message_id FROM generations WHERE id = ?", row)
    return rows and rows[0][0]


async def _result_once(emulator, process: BotProcess, row: int) -> dict:
    result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=30)
    await until(lambda: _recorded(process, row), 30)
    assert _recorded(process, row) == int(result["id"])
    assert len(results_of(emulator, row)) == 1
    # the card tells the end of the story too
    card_id = process.query("SELECT card_message_id FROM generations WHERE id = ?", row)[0][0]
    await until(lambda: "Done" in embed_text(emulator.render(emulator.stored_message(card_id))))
    return result


@pytest.mark.asyncio
async def test_killed_before_the_api_got_the_request(bot_process, emulator, api, sandbox, figures):
    held = asyncio.Event()
    api.then("generate", Answer(hold=held))  # the API never acts on it
    await create(emulator, "POOL")
    await api.wait_for("generate")
    await bot_process.kill()
    held.set()
    bot_process.pretend_minutes_passed()
    await _restart(bot_process, api)
    card = await until(
        lambda: next((c for c in cards(emulator) if "Outcome unknown" in embed_text(c)), None), 30
    )
    row = row_of(card)
    assert f"exterior:check:{row}" in custom_ids(card)  # the user is told, and may ask again
    assert api.count("generate") == 1 and len(sandbox.state.generations) == 0
    assert all_results(emulator) == {}
    figures.passed("crashes", "before generate")


@pytest.mark.asyncio
async def test_killed_after_the_api_acted_before_recording(
    bot_process, emulator, api, sandbox, figures
):
    api.forward_callbacks = False
    held = asyncio.Event()
    api.then("generate", Answer(forward=True, relay=True, hold=held))  # acted; answer held
    await create(emulator, "TERRACE")
    await until(lambda: len(sandbox.state.generations) == 1, 10)
    await bot_process.kill()
    held.set()
    bot_process.pretend_minutes_passed()
    await until(lambda: api.callbacks, 10)
    await _restart(bot_process, api)
    row = _newest_row(bot_process)
    await _result_once(emulator, bot_process, row)  # the callback named it: adopted
    assert api.count("generate") == 1 and len(sandbox.state.generations) == 1
    figures.passed("crashes", "after generate, before recording")


@pytest.mark.asyncio
async def test_killed_while_following(bot_process, emulator, api, sandbox, figures):
    api.forward_callbacks = False
    sandbox.state.config.processing_seconds = 1.5
    handle = await create(emulator, "PETANQUE")
    row = started_id(await handle.wait_followup(timeout=15))
    assert bot_process.query("SELECT generation_id FROM generations WHERE id = ?", row)[0][0]
    await bot_process.kill()
    await until(lambda: api.callbacks, 10)
    await _restart(bot_process, api)
    await _result_once(emulator, bot_process, row)
    assert api.count("generate") == 1 and len(sandbox.state.generations) == 1
    figures.passed("crashes", "while following")


@pytest.mark.asyncio
async def test_killed_after_posting_before_recording(bot_process, emulator, api, sandbox, figures):
    # the result's post is stored by "Discord", whose answer never reaches the bot
    post = emulator.fail_next("POST", CHANNEL_MESSAGES, kind="timeout", delay=60, after=1)
    handle = await create(emulator, "POOL")
    row = started_id(await handle.wait_followup(timeout=15))
    await asyncio.wait_for(post.arrived.wait(), 15)
    await until(lambda: results_of(emulator, row), 10)
    await bot_process.kill()
    post.release.set()
    await _restart(bot_process, api)
    await _result_once(emulator, bot_process, row)  # found in the channel, not re-posted
    assert api.count("generate") == 1 and len(sandbox.state.generations) == 1
    figures.passed("crashes", "after posting, before recording")


@pytest.mark.asyncio
async def test_killed_during_a_variation(bot_process, emulator, api, sandbox, figures):
    handle = await create(emulator, "POOL")
    parent = started_id(await handle.wait_followup(timeout=15))
    result = await _result_once(emulator, bot_process, parent)
    api.forward_callbacks = False
    held = asyncio.Event()
    api.then("generate-variation", Answer(forward=True, relay=True, hold=held))
    await emulator.click_button(result, f"exterior:vary:{parent}:TERRACE")
    await until(lambda: len(sandbox.state.generations) == 2, 10)
    await bot_process.kill()
    held.set()
    bot_process.pretend_minutes_passed()
    await until(lambda: len(api.callbacks) == 2, 10)
    await _restart(bot_process, api)
    row = _newest_row(bot_process)
    assert row != parent
    await _result_once(emulator, bot_process, row)
    assert api.count("generate-variation") == 1 and len(sandbox.state.generations) == 2
    assert set(all_results(emulator).values()) == {1}
    figures.passed("crashes", "during a variation")
