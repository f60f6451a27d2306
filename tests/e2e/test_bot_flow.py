"""The product end to end: emulator + sandbox + the real bot. Create, result, vary, fail, retry."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from .exterior_env import exterior_bot, settings_for
from .flow import (
    CARD_LABELS,
    VARY_LABELS,
    buttons,
    card_of,
    card_text,
    create,
    custom_ids,
    embed_text,
    fetch_image,
    is_result_of,
    started_id,
)


@pytest_asyncio.fixture
async def running(emulator, bot_runner, sandbox, tmp_path):
    settings = settings_for(emulator, sandbox, tmp_path / "bot.sqlite3")
    async with exterior_bot(bot_runner, settings) as (bot, core):
        yield bot, core


@pytest.mark.asyncio
async def test_create_card_result_and_vary(emulator, sandbox, running, tmp_path):
    handle = await create(emulator, "POOL")
    ack = await handle.wait_ack()
    assert ack.type == 5 and handle.payload["data"]["name"] == "exterior"
    row = started_id(await handle.wait_followup(timeout=10))

    card = card_of(emulator, row)
    assert [a["filename"] for a in card["attachments"]] == ["photo.png", "mask.png"]
    result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    assert [b["label"] for b in buttons(result)] == [*VARY_LABELS, *CARD_LABELS]
    assert result["flags"] & (1 << 15) and not result["embeds"] and not result["content"]
    assert result["message_reference"]["message_id"] == card["id"]
    (image,) = result["attachments"]
    picture = await fetch_image(image["url"])
    picture.save(tmp_path / "result.png")
    assert picture.size == (512, 512)
    await emulator.wait_for_message(
        predicate=lambda m: f"generation #{row}" in embed_text(m) and "Done" in embed_text(m)
    )
    history = await emulator.slash_command("exterior", subcommand="history")
    listed = embed_text(await history.wait_followup(timeout=10))
    link = f"https://discord.com/channels/{emulator.guild.id}/{emulator.channel.id}/{result['id']}"
    assert f"#{row} POOL" in listed and f"[result]({link})" in listed
    # the API was given the bot's own copy of the photo, not the user's ephemeral upload
    (body,) = [b for b in sandbox.state.projects.values()]
    assert str(card["attachments"][0]["id"]) in body.image_url

    # make every URL signed so far expire: the variation must re-fetch fresh ones
    emulator.attachment_url_lifetime = 0.5
    await asyncio.sleep(1.6)
    click = await emulator.click_button(result, f"exterior:vary:{row}:TERRACE")
    assert (await click.wait_ack()).type == 5
    var_row = started_id(await click.wait_followup(timeout=10))
    varied = await emulator.wait_for_message(predicate=is_result_of(var_row), timeout=10)
    var_card = await emulator.wait_for_message(
        predicate=lambda m: (
            f"generation #{var_row}" in embed_text(m) and "Variation 1 of project" in embed_text(m)
        )
    )
    assert var_card["message_reference"]["message_id"] == result["id"]
    assert "Variation 1" in card_text(varied)
    # the variation's card links back to the result it varies, and to its job card
    assert f"Varies [#{row}](https://discord.com/channels/" in card_text(varied)
    assert f"/{var_card['id']})" in card_text(varied)
    assert sandbox.state.calls["generate-variation"] == 1


@pytest.mark.asyncio
async def test_double_click_spends_one_credit(emulator, sandbox, running):
    handle = await create(emulator, "TERRACE")
    row = started_id(await handle.wait_followup(timeout=10))
    result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    first, second = await asyncio.gather(
        emulator.click_button(result, f"exterior:vary:{row}:POOL"),
        emulator.click_button(result, f"exterior:vary:{row}:POOL"),
    )
    replies = [(await h.wait_followup(timeout=10))["content"] for h in (first, second)]
    assert sum("Started generation" in r for r in replies) == 1
    assert sum("already" in r for r in replies) == 1
    third = await emulator.click_button(result, f"exterior:vary:{row}:POOL")
    assert "already" in (await third.wait_followup(timeout=10))["content"]
    assert sandbox.state.calls["generate-variation"] == 1


@pytest.mark.asyncio
async def test_failed_generation_says_refunded_and_retry_works(emulator, sandbox, running):
    sandbox.state.fail_next()
    handle = await create(emulator, "PETANQUE")
    row = started_id(await handle.wait_followup(timeout=10))

    def failed(message):
        return f"exterior:retry:{row}" in custom_ids(message)

    card = await emulator.wait_for_message(predicate=failed, timeout=10)
    assert "refunded" in embed_text(card)
    assert sandbox.state.credits[sandbox.state.config.user_id] == 100
    click = await emulator.click_button(card, f"exterior:retry:{row}")
    new_row = started_id(await click.wait_followup(timeout=10))
    await emulator.wait_for_message(predicate=is_result_of(new_row), timeout=10)
    assert sandbox.state.calls["generate"] == 2


@pytest.mark.asyncio
async def test_bad_attachments_get_one_sentence_and_cost_nothing(emulator, sandbox, running):
    from tests.support.files import mask, png_bytes

    cases = [
        (dict(mask=png_bytes(mask((100, 300)))), "same size"),
        (dict(photo=b"GIF89a not really"), "JPG, PNG, WebP or HEIC"),
        (dict(mask=png_bytes(mask((512, 512), box=(0, 0, 0, 0)).point(lambda _: 0))), "empty"),
    ]
    for kwargs, words in cases:
        handle = await create(emulator, **kwargs)
        followup = await handle.wait_followup(timeout=10)
        assert words in followup["content"]
        assert followup["flags"] & 64  # ephemeral: only the requester sees it
    assert sandbox.state.calls["generate"] == 0
    assert emulator.messages_in() == []


@pytest.mark.asyncio
async def test_missing_permission_is_named(emulator, sandbox, running):
    from bot.runtime.emulator.permissions import ATTACH_FILES

    await emulator.set_bot_permissions(emulator.channel, deny=ATTACH_FILES)
    handle = await create(emulator)
    ack = await handle.wait_ack()
    assert ack.type == 4
    assert "Attach Files" in handle.original["content"]
    assert sandbox.state.calls["generate"] == 0
