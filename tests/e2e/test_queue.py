"""The queue through the real bot: a cap of 1, work past it waits (nothing spent), its cards say
where it stands, Cancel spends nothing, a restart keeps the order, all finish in order."""

from __future__ import annotations

import re
import time

import pytest

from bot.domain import Status

from .exterior_env import exterior_bot
from .flow import card_of, create, custom_ids, embed_text, is_result_of, started_id
from .teams_support import admin

QUEUED = re.compile(r"Queued generation #(\d+)")


def queued_id(followup: dict) -> int:
    found = QUEUED.search(followup["content"])
    assert found, followup["content"]
    return int(found.group(1))


def finish_now(sandbox) -> None:
    """The API ends what it is working on now (its clock moved forward) and calls back, as it
    would have at the end."""
    from bot.api.sandbox.app import _start  # the sandbox's own lifecycle: settle, then callback

    for gen in sandbox.state.generations.values():
        if not gen.status.is_terminal:
            gen.processing_at = min(gen.processing_at, time.time())
            gen.done_at = min(gen.done_at, time.time())
            if gen.task is not None:
                gen.task.cancel()
            _start(sandbox.runner.app, gen)


def card_says(emulator, row: int, text: str):
    marker = f"generation #{row}"
    return lambda m: marker in embed_text(m) and text in embed_text(m)


@pytest.mark.asyncio
async def test_a_cap_of_one_queues_cancels_and_keeps_its_order_across_a_restart(
    emulator, bot_runner, sandbox, polling_settings
):
    config, user = sandbox.state.config, sandbox.state.config.user_id
    credits = sandbox.state.credits[user]
    config.processing_seconds = 600  # the first runs until the test ends it (finish_now)
    async with exterior_bot(bot_runner, polling_settings) as (_, core):
        _, said = await admin(emulator, "limits", {"concurrent": 1})
        assert "Running at once: 1" in said
        first = started_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        config.processing_seconds = 0.3  # what starts later ends quickly
        answers = [await (await create(emulator, kind)).wait_followup(timeout=10)
                   for kind in ("TERRACE", "PETANQUE")]  # fmt: skip
        second, third = (queued_id(a) for a in answers)
        assert "Queued: 1 ahead of you" in answers[0]["content"]
        assert "Queued: 2 ahead of you" in answers[1]["content"]
        # accepted and written down, nothing sent nor spent
        assert sandbox.state.calls["generate"] == 1
        assert sandbox.state.credits[user] == credits - 1
        assert [(await core.generations.get(r)).status for r in (second, third)] == [
            Status.QUEUED,
            Status.QUEUED,
        ]
        card = await emulator.wait_for_message(predicate=card_says(emulator, third, "2 ahead"))
        assert f"exterior:cancel:{third}" in custom_ids(card)

        # a fourth, cancelled: by its requester only, and it spends nothing
        fourth = queued_id(await (await create(emulator, "POOL")).wait_followup(timeout=10))
        other = await emulator.add_user("colleague")
        cancel = f"exterior:cancel:{fourth}"
        refused = await emulator.click_button(card_of(emulator, fourth), cancel, user=other)
        assert "who asked for it, may cancel it" in (await refused.wait_followup())["content"]
        click = await emulator.click_button(card_of(emulator, fourth), cancel)
        assert "nothing was spent" in (await click.wait_followup(timeout=10))["content"]
        await emulator.wait_for_message(predicate=card_says(emulator, fourth, "Cancelled"))
        assert (await core.generations.get(fourth)).status is Status.CANCELLED
        assert cancel not in custom_ids(card_of(emulator, fourth))

        # /exterior queue: who, what, since when, in order
        listing = await emulator.slash_command("exterior", subcommand="queue")
        shown = embed_text(await listing.wait_followup(timeout=10))
        assert "At most 1 running at once" in shown
        assert f"Running (1): #{first} 🏊 pool · <@{emulator.user.id}> · since <t:" in shown
        assert f"**1.** #{second} 🪵 terrace" in shown and f"**2.** #{third} 🎯" in shown
        assert f"#{fourth}" not in shown
    assert sandbox.state.calls["generate"] == 1  # stopped while the first still ran

    async with exterior_bot(bot_runner, polling_settings) as (_, core):
        finish_now(sandbox)  # the first ends once the bot is back
        for row in (first, second, third):
            await emulator.wait_for_message(predicate=is_result_of(row), timeout=30)
        done = [await core.generations.get(r) for r in (first, second, third)]
        assert [g.status for g in done] == [Status.SUCCEEDED] * 3
        # in order: each started (its intent written) only once the one before had ended
        assert done[0].finished_at <= done[1].created_at
        assert done[1].finished_at <= done[2].created_at
        assert done[1].queued_at < done[1].created_at  # it waited, and says since when
    # one credit each for the three, none for the cancelled one
    assert sandbox.state.calls["generate"] == 3
    assert sandbox.state.credits[user] == credits - 3
