"""The other commands: vary with a new mask, show, credits; and a generation that times out."""

from __future__ import annotations

import pytest

from tests.support.files import mask, png_bytes

from .exterior_env import exterior_bot
from .flow import (
    CARD_LABELS,
    VARY_LABELS,
    buttons,
    card_of,
    card_text,
    create,
    custom_ids,
    embed_text,
    is_result_of,
    started_id,
)


async def finished_generation(emulator, room_type="POOL") -> tuple[int, dict]:
    handle = await create(emulator, room_type)
    row = started_id(await handle.wait_followup(timeout=10))
    return row, await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)


@pytest.mark.asyncio
async def test_vary_command_with_a_new_mask(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings):
        row, _ = await finished_generation(emulator)
        # a smaller mask with the photo's proportions is resized to the photo
        new_mask = png_bytes(mask((256, 256), box=(10, 200, 120, 250)))
        handle = await emulator.slash_command(
            "exterior",
            {"generation": f"#{row}", "type": "PETANQUE"},
            subcommand="vary",
            attachments={"mask": ("new-mask.png", new_mask, "image/png")},
        )
        var_row = started_id(await handle.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(var_row), timeout=10)
        card = card_of(emulator, var_row)
        assert [a["filename"] for a in card["attachments"]] == ["mask.png"]
        assert card["attachments"][0]["width"] == 512
        assert sandbox.state.calls["generate-variation"] == 1
        ((_, sent),) = [r for r in sandbox.state.requests if r[0] == "generate-variation"]
        assert str(card["attachments"][0]["id"]) in sent["mask_url"]
        # a mask of other proportions is refused before any credit is spent
        bad = png_bytes(mask((100, 300)))
        handle = await emulator.slash_command(
            "exterior",
            {"generation": str(row), "type": "POOL"},
            subcommand="vary",
            attachments={"mask": ("bad.png", bad, "image/png")},
        )
        assert "same size" in (await handle.wait_followup(timeout=10))["content"]
        handle = await emulator.slash_command(
            "exterior", {"generation": "999", "type": "POOL"}, subcommand="vary"
        )
        assert "don't know a generation 999" in (await handle.wait_followup(timeout=10))["content"]
        assert sandbox.state.calls["generate-variation"] == 1


@pytest.mark.asyncio
async def test_show_posts_a_result_again_with_its_buttons(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings):
        row, first = await finished_generation(emulator, "TERRACE")
        handle = await emulator.slash_command(
            "exterior", {"generation": str(row)}, subcommand="show"
        )
        again = await handle.wait_followup(timeout=10)
        assert [b["label"] for b in buttons(again)] == [*VARY_LABELS, *CARD_LABELS]
        assert f"#{row}]" in card_text(again) and "◀ this one" in card_text(again)
        assert again["attachments"][0]["size"] == first["attachments"][0]["size"]
        assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_credits_shows_remaining_and_spend(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings):
        await finished_generation(emulator)
        await finished_generation(emulator, "PETANQUE")
        handle = await emulator.slash_command("exterior", subcommand="credits")
        reply = await handle.wait_followup(timeout=10)
        text = embed_text(reply)
        assert "Photos left (last known): 98" in text
        assert "This server today: 2" in text and "This server this month: 2" in text
        assert reply["flags"] & 64


@pytest.mark.asyncio
async def test_timed_out_card_says_how_to_check_later(emulator, bot_runner, sandbox, settings):
    sandbox.state.config.processing_seconds = 2.0
    async with exterior_bot(bot_runner, settings, deadline_seconds=0.5):
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))

        def timed_out(message):
            return f"generation #{row}" in embed_text(message) and "stopped waiting" in embed_text(
                message
            )

        card = await emulator.wait_for_message(predicate=timed_out, timeout=10)
        assert f"/exterior show generation:{row}" in embed_text(card)
        # the API finished later: the callback revives it and the result is posted
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)


@pytest.mark.asyncio
async def test_retrying_a_failed_variation_varies_again_with_its_mask(
    emulator, bot_runner, sandbox, settings
):
    async with exterior_bot(bot_runner, settings):
        row, _ = await finished_generation(emulator)
        sandbox.state.fail_next()
        new_mask = png_bytes(mask((512, 512), box=(300, 300, 500, 500)))
        handle = await emulator.slash_command(
            "exterior",
            {"generation": str(row), "type": "TERRACE"},
            subcommand="vary",
            attachments={"mask": ("m.png", new_mask, "image/png")},
        )
        failed_row = started_id(await handle.wait_followup(timeout=10))

        def failed(message):
            return f"exterior:retry:{failed_row}" in custom_ids(message)

        card = await emulator.wait_for_message(predicate=failed, timeout=10)
        click = await emulator.click_button(card, f"exterior:retry:{failed_row}")
        retry_row = started_id(await click.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(retry_row), timeout=10)
        variations = [b for e, b in sandbox.state.requests if e == "generate-variation"]
        assert sandbox.state.calls["generate"] == 1 and len(variations) == 2
        first_try, retry = variations
        assert retry["generation_id"] == first_try["generation_id"]  # the same parent
        assert retry["room_type"] == "TERRACE" and retry.get("mask_url")
        assert retry["mask_url"] != first_try["mask_url"]  # re-uploaded: a fresh URL
