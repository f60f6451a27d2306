"""What used to fall through the cracks: deleted cards, failed posts, work finished elsewhere."""

from __future__ import annotations

import pytest

from bot.domain import Kind
from tests.support.wait import until

from .exterior_env import exterior_bot
from .flow import card_of, create, is_result_of, started_id, undelivered_copy


def results_of(emulator, row: int) -> list[dict]:
    return [m for m in emulator.messages_in() if is_result_of(row)(m)]


async def recorded(core, row: int) -> int | None:
    return (await core.generations.get(row)).result_message_id


@pytest.mark.asyncio
async def test_a_deleted_card_does_not_block_the_result(emulator, bot_runner, sandbox, settings):
    sandbox.state.config.processing_seconds = 0.8  # time to delete the card first
    async with exterior_bot(bot_runner, settings):
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))
        emulator.delete_message(emulator.stored_message(card_of(emulator, row)))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        assert result["attachments"] and "message_reference" not in result


@pytest.mark.asyncio
async def test_a_failed_post_is_retried_by_the_sweep(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings) as (bot, core):
        bot.get_cog("Results").sweep.change_interval(seconds=0.3)
        handle = await create(emulator, "TERRACE")
        row = started_id(await handle.wait_followup(timeout=10))
        # Discord refuses the result once (as when permissions change for a moment)
        emulator.fail_next("POST", rf"/channels/{emulator.channel.id}/messages$", status=403)
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        # once recorded, no sweep or event may post it again (they re-read it under a lock)
        await until(lambda: recorded(core, row))
        assert len(results_of(emulator, row)) == 1
        assert any(status == 403 for _, _, status in emulator.faults.triggered)
        assert (await core.generations.get(row)).result_message_id is not None


@pytest.mark.asyncio
async def test_an_ambiguous_paid_call_is_saved_by_its_callback(
    emulator, bot_runner, sandbox, settings
):
    sandbox.state.config.slow_answer = 1.5  # the API acts, but answers after our read timeout
    async with exterior_bot(bot_runner, settings, read_timeout=0.5) as (_, core):
        handle = await create(emulator, "PETANQUE")
        followup = await handle.wait_followup(timeout=10)
        assert (
            "did not confirm" in followup["content"] and "not charged twice" in followup["content"]
        )
        assert sandbox.state.calls["generate"] == 1  # not retried
        row = max(g.id for g in await core.generations.list_channel(emulator.channel.id))
        # its callback names the generation: the result is recovered and posted
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_one_undeliverable_result_does_not_stall_the_others(
    emulator, bot_runner, sandbox, polling_settings, monkeypatch
):
    async with exterior_bot(bot_runner, polling_settings) as (bot, core):
        handle = await create(emulator, "POOL")
        first = started_id(await handle.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(first), timeout=10)
        older = await undelivered_copy(core, first)
        # a variation of a create adopted from its callback: no project id is known
        orphan = await undelivered_copy(core, first, kind=Kind.VARIATION, parent_id=first)
        broken = await undelivered_copy(core, first)  # newest: the sweep meets it first
        cog = bot.get_cog("Results")
        cog.max_attempts = 2
        real = cog.result_files

        async def result_files(gen, channel):
            if gen.id == broken:
                raise RuntimeError("something no one expected")
            return await real(gen, channel)

        monkeypatch.setattr(cog, "result_files", result_files)
        await cog.catch_up()
        for row in (older, orphan):
            assert (await core.generations.get(row)).result_message_id, row
            assert len(results_of(emulator, row)) == 1
        assert (await core.generations.get(broken)).result_message_id is None
        await cog.catch_up()  # the second failure of the same result: given up, not retried
        assert (await core.generations.get(broken)).result_message_id == 0
        assert await core.generations.undelivered() == []
