"""Restarts, days-old buttons, expired tokens, history: the bot keeps its promises."""

from __future__ import annotations

import discord
import pytest

from bot.domain import Generation, Kind, Origin, RoomType, Status
from tests.support.wait import until

from .exterior_env import exterior_bot
from .flow import create, custom_ids, embed_text, is_result_of, started_id


def results_of(emulator, row: int) -> list[dict]:
    return [m for m in emulator.messages_in() if is_result_of(row)(m)]


async def recorded(core, row: int) -> int | None:
    return (await core.generations.get(row)).result_message_id


@pytest.mark.asyncio
async def test_restart_mid_generation_posts_the_result_once(
    emulator, bot_runner, sandbox, polling_settings
):
    sandbox.state.config.processing_seconds = 1.5
    async with exterior_bot(bot_runner, polling_settings):
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))
    assert results_of(emulator, row) == []  # stopped before the API finished
    async with exterior_bot(bot_runner, polling_settings) as (_, core):
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        # recorded: from now on nothing may post it again
        message_id = await until(lambda: recorded(core, row))
        assert len(results_of(emulator, row)) == 1
        assert message_id == int(results_of(emulator, row)[0]["id"])


@pytest.mark.asyncio
async def test_killed_between_posting_and_recording_posts_nothing_twice(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings) as (_, core):
        handle = await create(emulator, "TERRACE")
        row = started_id(await handle.wait_followup(timeout=10))
        posted = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        # only once the bot recorded it can clearing the record stand for a kill in between
        assert await until(lambda: recorded(core, row)) == int(posted["id"])
        # what a kill right after the post would have left behind: no record of the message
        async with core.db.write() as conn:
            await conn.execute(
                "UPDATE generations SET result_message_id = NULL WHERE id = ?", (row,)
            )
    async with exterior_bot(bot_runner, polling_settings) as (_, core):
        assert await until(lambda: recorded(core, row)) == int(posted["id"])
        assert len(results_of(emulator, row)) == 1


@pytest.mark.asyncio
async def test_old_buttons_work_after_a_restart_and_unknown_ones_answer(
    emulator, bot_runner, sandbox, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    async with exterior_bot(bot_runner, polling_settings) as (bot, _):
        click = await emulator.click_button(result, f"exterior:vary:{row}:PETANQUE")
        new_row = started_id(await click.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(new_row), timeout=10)
        # a button from some older version of the bot still gets an answer
        channel = bot.get_channel(emulator.channel.id)
        view = discord.ui.View().add_item(discord.ui.Button(label="old", custom_id="exterior:x:1"))
        legacy = await channel.send("legacy", view=view)
        old = await emulator.click_button(legacy.id, "exterior:x:1")
        ack = await old.wait_ack()
        assert ack.type == 4 and "no longer works" in old.original["content"]


@pytest.mark.asyncio
async def test_result_after_the_interaction_token_expired(
    emulator, bot_runner, sandbox, polling_settings
):
    emulator.token_lifetime = 0.5
    sandbox.state.config.processing_seconds = 1.5
    async with exterior_bot(bot_runner, polling_settings):
        handle = await create(emulator, "PETANQUE")
        row = started_id(await handle.wait_followup(timeout=10))
        await until(lambda: handle.expired)
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        await emulator.wait_for_message(
            predicate=lambda m: f"generation #{row}" in embed_text(m) and "Done" in embed_text(m)
        )
        assert result["attachments"]


@pytest.mark.asyncio
async def test_history_pages_newest_first(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings) as (_, core):
        origin = Origin(
            source="discord",
            guild_id=emulator.guild.id,
            channel_id=emulator.channel.id,
            user_id=emulator.user.id,
        )
        for i in range(7):
            gen = await core.generations.create_intent(
                Generation(
                    id=None,
                    kind=Kind.CREATE,
                    room_type=list(RoomType)[i % 3],
                    status=Status.PENDING,
                    origin=origin,
                )
            )
            await core.generations.mark_rejected(gen.id, "test row")
        handle = await emulator.slash_command("exterior", subcommand="history")
        first = await handle.wait_followup(timeout=10)
        titles = [f["name"] for f in first["embeds"][0]["fields"]]
        assert titles[0].startswith("#7") and len(titles) == 5
        assert "Page 1 of 2" in embed_text(first)
        older = next(c for c in custom_ids(first) if c.endswith(":next"))
        click = await emulator.click_button(first, older)
        assert (await click.wait_ack()).type == 6
        page2 = await click.wait_original(lambda m: "Page 2 of 2" in embed_text(m), timeout=10)
        assert page2["id"] == first["id"]  # the same message, edited in place
        assert [f["name"][:2] for f in page2["embeds"][0]["fields"]] == ["#2", "#1"]
        assert "Page 2 of 2" in embed_text(page2)
