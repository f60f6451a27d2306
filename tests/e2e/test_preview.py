"""Previews before any credit is spent: painted photo, suggested area, Cancel, expiry, double
Generate, a restart in between, and a server that wants a preview even with a mask."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image, ImageDraw

from bot.images import masks
from storage import GuildSettingsRepository
from tests.support.files import png_bytes
from tests.support.gardens import garden

from .exterior_env import exterior_bot
from .flow import (
    CARD_LABELS,
    MASK,
    PHOTO,
    VARY_LABELS,
    buttons,
    card_of,
    create,
    custom_ids,
    fetch_image,
    is_result_of,
    link_of,
    started_id,
)

PREVIEW_LABELS = ["Generate (1 credit)", "Edit in studio", "Cancel"]


def painted_photo() -> bytes:
    """The example photo with an area scribbled over in magenta, as a phone's markup tool."""
    image = Image.open(io.BytesIO(PHOTO)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for y in range(300, 460, 18):
        draw.line([(90, y), (420, y + 10)], fill=(255, 0, 200), width=24)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def go_id(preview: dict) -> str:
    return next(c for c in custom_ids(preview) if c.endswith(":go"))


def spent_nothing(sandbox) -> bool:
    state = sandbox.state
    return state.calls["generate"] == 0 and state.credits[state.config.user_id] == 100


@pytest_asyncio.fixture
async def running(bot_runner, settings):
    async with exterior_bot(bot_runner, settings) as (bot, core):
        yield bot, core


@pytest.mark.asyncio
async def test_painted_photo_previews_privately_then_generates(
    emulator, sandbox, settings, running, tmp_path
):
    handle = await create(emulator, "POOL", mask=None, painted=painted_photo())
    preview = await handle.wait_followup(timeout=10)
    assert preview["flags"] & 64  # ephemeral: only the requester sees it
    assert [b["label"] for b in buttons(preview)] == PREVIEW_LABELS
    assert link_of(preview, "Edit in studio").startswith(f"{settings.public_url}/studio/")
    assert "painted" in preview["content"] and "pool" in preview["content"]
    (attachment,) = preview["attachments"]
    shown = await fetch_image(attachment["url"])
    shown.save(tmp_path / "preview.jpg")  # kept with the test's files, to look at
    assert shown.size == (512, 512)
    assert spent_nothing(sandbox) and emulator.messages_in() == []

    click = await emulator.click_button(preview, go_id(preview))
    row = started_id(await click.wait_followup(timeout=10))
    card = card_of(emulator, row)
    assert [a["filename"] for a in card["attachments"]] == ["photo.png", "mask.png"]
    mask = await fetch_image(card["attachments"][1]["url"])
    # the derived mask covers the scribbled band and little else
    assert mask.getpixel((250, 380)) == 255 and mask.getpixel((250, 100)) == 0
    result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    assert [b["label"] for b in buttons(result)] == [*VARY_LABELS, *CARD_LABELS]
    assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_a_clear_lawn_is_described_and_generate_leads(emulator, sandbox, running):
    g = garden(1)  # a green lawn in colour: the suggestion is sure of it
    handle = await create(emulator, "POOL", photo=png_bytes(g.photo), mask=None)
    preview = await handle.wait_followup(timeout=10)
    share = round(masks.coverage(g.lawn) * 20) * 5  # what was found, in round figures
    assert f"open lawn, about {share}% of the photo" in preview["content"], preview["content"]
    assert "not sure" not in preview["content"]
    assert [b["label"] for b in buttons(preview)] == PREVIEW_LABELS
    assert spent_nothing(sandbox)


@pytest.mark.asyncio
async def test_no_mask_suggests_an_area_and_cancel_spends_nothing(emulator, sandbox, running):
    handle = await create(emulator, "TERRACE", mask=None)
    preview = await handle.wait_followup(timeout=10)
    assert "suggest" in preview["content"] and preview["attachments"]
    # the example photo is grey: nothing but brightness to go by, so it says so and the
    # studio comes first
    assert preview["content"].startswith("I'm not sure about this one: adjust it in the studio.")
    assert [b["label"] for b in buttons(preview)] == [
        "Edit in studio", "Generate (1 credit)", "Cancel"
    ]  # fmt: skip
    cancel = next(c for c in custom_ids(preview) if c.endswith(":cancel"))
    click = await emulator.click_button(preview, cancel)
    assert (await click.wait_ack()).type == 7  # the preview itself says it was cancelled
    shown = emulator.render(emulator.stored_message(preview))
    assert "Cancelled; nothing was spent" in shown["content"] and not shown["components"]
    assert not shown["attachments"]
    assert spent_nothing(sandbox) and emulator.messages_in() == []


@pytest.mark.asyncio
async def test_expired_preview_says_so_and_spends_nothing(emulator, sandbox, running):
    _, core = running
    core.drafts.preview_lifetime = timedelta(seconds=-1)  # born expired: no waiting
    handle = await create(emulator, "POOL", mask=None)
    preview = await handle.wait_followup(timeout=10)
    click = await emulator.click_button(preview, go_id(preview))
    answer = await click.wait_followup(timeout=10)
    assert "expired" in answer["content"] and "nothing was spent" in answer["content"]
    assert answer["flags"] & 64
    assert spent_nothing(sandbox) and emulator.messages_in() == []


@pytest.mark.asyncio
async def test_double_generate_spends_once(emulator, sandbox, running):
    handle = await create(emulator, "PETANQUE", mask=None, painted=painted_photo())
    preview = await handle.wait_followup(timeout=10)
    first, second = await asyncio.gather(
        emulator.click_button(preview, go_id(preview)),
        emulator.click_button(preview, go_id(preview)),
    )
    replies = [(await h.wait_followup(timeout=10))["content"] for h in (first, second)]
    assert sum("Started generation" in r for r in replies) == 1, replies
    assert sum("already generated" in r for r in replies) == 1, replies
    third = await emulator.click_button(preview, go_id(preview))
    assert "nothing more was spent" in (await third.wait_followup(timeout=10))["content"]
    assert sandbox.state.calls["generate"] == 1
    assert sandbox.state.credits[sandbox.state.config.user_id] == 99


@pytest.mark.asyncio
async def test_preview_survives_a_restart(emulator, sandbox, bot_runner, settings):
    async with exterior_bot(bot_runner, settings):
        handle = await create(emulator, "POOL", mask=None)
        preview = await handle.wait_followup(timeout=10)
    async with exterior_bot(bot_runner, settings):
        click = await emulator.click_button(preview, go_id(preview))
        row = started_id(await click.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    assert sandbox.state.calls["generate"] == 1


@pytest.mark.asyncio
async def test_a_server_can_ask_for_a_preview_even_with_a_mask(emulator, sandbox, running):
    _, core = running
    await GuildSettingsRepository(core.db).set(emulator.guild.id, "always_preview", True)
    handle = await create(emulator, "POOL")
    preview = await handle.wait_followup(timeout=10)
    assert "your mask" in preview["content"]
    assert [b["label"] for b in buttons(preview)] == PREVIEW_LABELS
    assert spent_nothing(sandbox)


@pytest.mark.asyncio
async def test_without_a_public_url_there_is_no_studio_to_offer(
    emulator, sandbox, bot_runner, polling_settings
):
    async with exterior_bot(bot_runner, polling_settings):
        handle = await create(emulator, "POOL", mask=None)
        preview = await handle.wait_followup(timeout=10)
        assert [b["label"] for b in buttons(preview)] == ["Generate (1 credit)", "Cancel"]
        assert "studio" not in preview["content"]
        click = await emulator.click_button(preview, go_id(preview))
        row = started_id(await click.wait_followup(timeout=10))
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        # no public URL: neither the studio nor client pages
        assert [b["label"] for b in buttons(result)] == [*VARY_LABELS[:3], *CARD_LABELS[:-1]]


@pytest.mark.asyncio
async def test_nothing_to_suggest_offers_the_studio_only(emulator, sandbox, running):
    sky = Image.new("RGB", (256, 192), (40, 90, 200))
    out = io.BytesIO()
    sky.save(out, format="PNG")
    handle = await create(emulator, "POOL", photo=out.getvalue(), mask=None)
    answer = await handle.wait_followup(timeout=10)
    assert "no lawn" in answer["content"] and answer["flags"] & 64
    assert [b["label"] for b in buttons(answer)] == ["Edit in studio", "Cancel"]
    assert spent_nothing(sandbox)


@pytest.mark.asyncio
async def test_studio_submission_discord_refuses_spends_nothing_and_keeps_the_link(
    emulator, sandbox, running
):
    from bot.runtime.emulator.permissions import ATTACH_FILES

    handle = await create(emulator, "POOL", mask=None)
    link = link_of(await handle.wait_followup(timeout=10), "Edit in studio")
    await emulator.set_bot_permissions(emulator.channel, deny=ATTACH_FILES)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{link}/generate?type=POOL", data=MASK) as resp:
            assert resp.status == 502 and "permission" in (await resp.json())["error"]
        assert spent_nothing(sandbox)
        await emulator.set_bot_permissions(emulator.channel)
        async with http.post(f"{link}/generate?type=POOL", data=MASK) as resp:
            assert resp.status == 200, await resp.text()
            row = started_id({"content": (await resp.json())["message"]})
    await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
    assert sandbox.state.calls["generate"] == 1
